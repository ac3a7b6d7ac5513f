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

/** SIGSTOP the server now and SIGCONT it once at least `ms` have passed (Node timers can fire ~1 ms early). */
function stopFor(ms: number, done: (stoppedMs: number) => void): void {
  child.kill('SIGSTOP');
  const t = performance.now();
  const resume = () => {
    const elapsed = performance.now() - t;
    if (elapsed < ms) return void setTimeout(resume, ms - elapsed);
    child.kill('SIGCONT');
    done(performance.now() - t);
  };
  setTimeout(resume, ms);
}

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

  it('a 1 s SIGSTOP of the server shows up as p99 >= 1000 ms (no coordinated omission)', async () => {
    // p99 >= 1000 ms needs 1% of the requests to have waited the whole stop: only the ones due as
    // it began did. So the run is short (50 requests: 1% is half a request, p99 is the slowest), the
    // stop begins with request 0 (onStart runs right before it is sent) and lasts 1 s; 40% of the
    // intended sends fall in it. Request 0 is due before the stop began and answered after it ended.
    const rate = 20;
    const seconds = 2.5;
    let stoppedMs = 0;
    const r = await runOpenLoop({
      baseUrl,
      paths: ['/health'],
      rate,
      seconds,
      onStart: () => stopFor(1000, (ms) => (stoppedMs = ms)),
    });
    expect(r.failed).toBe(0);
    expect(r.ops).toBe(50);
    expect(r.latency.count).toBe(50);
    expect(stoppedMs).toBeGreaterThanOrEqual(1000);
    expect(r.latency.p99).toBeGreaterThanOrEqual(1000);
    expect(r.latency.max).toBeLessThan(stoppedMs + 1000);
    // The 20 requests due during the stop waited 1000, 950, ... 50 ms: a closed-loop client would
    // have sent one and waited; here they are the top 40% of the distribution.
    expect(r.latency.p90).toBeGreaterThanOrEqual(750);
    expect(r.latency.p50).toBeLessThan(100);
  });

  it('a 1 s SIGSTOP in a longer run: the stall is the tail (max >= the stall, p90 > 500 ms)', async () => {
    const rate = 200;
    const seconds = 3;
    let stoppedMs = 0;
    const r = await runOpenLoop({
      baseUrl,
      paths: ['/health'],
      rate,
      seconds,
      onStart: () => void setTimeout(() => stopFor(1000, (ms) => (stoppedMs = ms)), 1000),
    });
    expect(r.failed).toBe(0);
    expect(r.ops).toBe(rate * seconds);
    expect(stoppedMs).toBeGreaterThanOrEqual(1000);
    // The first request due after the stall began (within one interval, 1000/rate ms) waited all but
    // that of it; a third of the run was due during it.
    expect(r.latency.max).toBeGreaterThanOrEqual(stoppedMs - 1000 / rate);
    expect(r.latency.max).toBeLessThan(stoppedMs + 1000);
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

  it('settle traffic is sent on schedule but not recorded: a stall inside it is not in the result, nor are its failures', async () => {
    // 0.5 s settle at 100 req/s (50 requests), then 1 s measured (100). The server stops for 300 ms
    // inside the settle window; the requests due then are answered late, and none of them is recorded.
    const r = await runOpenLoop({
      baseUrl,
      paths: ['/ok'],
      rate: 100,
      seconds: 1,
      settleSeconds: 0.5,
      bucketMs: 250,
      onStart: () => void setTimeout(() => stopFor(300, () => undefined), 50),
    });
    expect(r.sent).toBe(100);
    expect(r.ops).toBe(100);
    expect(r.latency.count).toBe(100);
    // The requests due in the stall (50-350 ms) waited up to 300 ms; the measured window starts at 500 ms.
    expect(r.latency.max).toBeLessThan(250);
    expect(r.buckets.map((b) => b.atMs)).toEqual([0, 250, 500, 750]);
    const failing = await runOpenLoop({ baseUrl, paths: ['/fail', '/ok'], rate: 100, seconds: 1, settleSeconds: 0.5 });
    // 150 sent in all, 100 of them measured: 50 failures, not 75.
    expect(failing.ops).toBe(100);
    expect(failing.failed).toBe(50);
    expect(failing.failures.every((f) => f.sentMs >= 0)).toBe(true);
  });

  it('refuses a rate or duration that is not positive', async () => {
    await expect(runOpenLoop({ baseUrl, paths: ['/'], rate: 0, seconds: 1 })).rejects.toThrow('runOpenLoop: rate and seconds must be positive (got 0, 1)');
  });
});
