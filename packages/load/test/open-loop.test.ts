import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { runOpenLoop } from '../src/open-loop';

/**
 * The open-loop engine against a small HTTP server in a child process (not one of the stack's
 * servers: this tests the engine's clock). A 1 s SIGSTOP of the server must show as a p99 of at
 * least 1 s, because every request due during the stop is timed from when it was due.
 */
const SERVER = `
const http = require('node:http');
const s = http.createServer((req, res) => {
  if (req.url === '/fail') { res.statusCode = 503; return res.end('no'); }
  res.end('ok');
});
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

let child: ChildProcess;
let baseUrl: string;

beforeAll(async () => {
  child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  baseUrl = `http://127.0.0.1:${chunk.toString().trim()}`;
});

afterAll(() => {
  child.kill('SIGCONT');
  child.kill('SIGKILL');
});

describe('open-loop engine (latency from the intended send time)', () => {
  it('a healthy server: the requested rate is sent and the tail stays far below 1 s', async () => {
    const r = await runOpenLoop({ baseUrl, paths: ['/a', '/b'], rate: 200, seconds: 2 });
    expect(r.sent).toBe(400);
    expect(r.ops).toBe(400);
    expect(r.failed).toBe(0);
    expect(r.latency.count).toBe(400);
    expect(r.latency.p99).toBeLessThan(1000);
    expect(r.routes.map((x) => [x.route, x.ops])).toEqual([
      ['/a', 200],
      ['/b', 200],
    ]);
  });

  it('a 1 s SIGSTOP of the server shows up as a p99 of about 1 s (no coordinated omission)', async () => {
    const rate = 200;
    const seconds = 3;
    let stoppedMs = 0;
    const r = await runOpenLoop({
      baseUrl,
      paths: ['/health'],
      rate,
      seconds,
      onStart: () => {
        setTimeout(() => {
          child.kill('SIGSTOP');
          const t = performance.now();
          setTimeout(() => {
            child.kill('SIGCONT');
            stoppedMs = performance.now() - t;
          }, 1000);
        }, 1000);
      },
    });
    expect(r.failed).toBe(0);
    expect(r.ops).toBe(rate * seconds);
    expect(stoppedMs).toBeGreaterThanOrEqual(1000);
    // The request due as the stall began waited all of it; the one due 1% of the run later waited
    // that much less. So p99 >= stall - 1% of the run (here 1000 - 30 ms), and max >= the stall.
    expect(r.latency.max).toBeGreaterThanOrEqual(stoppedMs);
    expect(r.latency.p99).toBeGreaterThanOrEqual(stoppedMs - 0.01 * seconds * 1000);
    expect(r.latency.max).toBeLessThan(stoppedMs + 500);
    // A closed-loop client would have sent nothing during the stall; here a third of the run was due then.
    expect(r.latency.p90).toBeGreaterThan(500);
  });

  it('failures are counted per route with their kind and send time', async () => {
    const r = await runOpenLoop({ baseUrl, paths: ['/ok', '/fail'], rate: 100, seconds: 1, bucketMs: 250 });
    const byRoute = Object.fromEntries(r.routes.map((x) => [x.route, x]));
    expect(byRoute['/ok']).toMatchObject({ ops: 50, failed: 0 });
    expect(byRoute['/fail']).toMatchObject({ ops: 50, failed: 50, errorKinds: { 'http 503': 50 } });
    expect(r.errorRate).toBe(0.5);
    expect(r.failures).toHaveLength(50);
    expect(r.failures.every((f) => f.route === '/fail' && f.kind === 'http 503' && f.doneMs >= f.sentMs)).toBe(true);
    expect(r.buckets.map((b) => b.atMs)).toEqual([0, 250, 500, 750]);
    expect(r.buckets.reduce((a, b) => a + b.failed, 0)).toBe(50);
  });

  it('a request unanswered past its timeout fails as "timeout", timed from its due time', async () => {
    child.kill('SIGSTOP');
    try {
      const r = await runOpenLoop({ baseUrl, paths: ['/x'], rate: 20, seconds: 0.5, timeoutMs: 300 });
      expect(r.failed).toBe(10);
      expect(r.errorKinds).toEqual({ timeout: 10 });
      for (const f of r.failures) expect(f.doneMs - f.sentMs).toBeGreaterThanOrEqual(299);
    } finally {
      child.kill('SIGCONT');
    }
  });

  it('refuses a rate or duration that is not positive', async () => {
    await expect(runOpenLoop({ baseUrl, paths: ['/'], rate: 0, seconds: 1 })).rejects.toThrow('runOpenLoop: rate and seconds must be positive (got 0, 1)');
  });
});
