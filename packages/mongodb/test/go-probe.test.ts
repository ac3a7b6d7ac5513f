import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDevstackError } from '@devstack/core';
import { goPointReads, goProbeBinary, goProbeOutcome, parseGoProbeResult } from '../src/go-probe';

const line = (r: Record<string, unknown>) => JSON.stringify({ reads: 3, misses: 1, errors: 2, wallSeconds: 1.5, cpuSeconds: 0.01, latenciesUs: [100, 2000, 30000], ...r });

describe('Go point-read probe results', () => {
  it('turns a result line into the bench outcome: reads per second of the window, latencies in ms, misses, errors', () => {
    const out = goProbeOutcome(parseGoProbeResult(line({})));
    expect(out.opsPerSec).toBe(2);
    expect(out.misses).toBe(1);
    expect(out.latency.errors).toBe(2);
    const snap = out.latency.snapshot();
    expect(snap.count).toBe(3);
    expect(snap.min).toBeCloseTo(0.1, 3);
    expect(snap.max).toBeCloseTo(30, 1);
  });

  it('refuses a line that is not JSON, or lacks a count, or whose latencies do not match its reads', () => {
    const refusal = (text: string) => {
      try {
        parseGoProbeResult(text);
      } catch (err) {
        expect(isDevstackError(err) && err.code).toBe('ENVIRONMENT');
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal('panic: runtime error')).toBe('mongo-pointread printed a line that is not JSON: panic: runtime error');
    expect(refusal(line({ reads: undefined }))).toBe('mongo-pointread result is incomplete (reads).');
    expect(refusal(line({ cpuSeconds: -1, wallSeconds: 'x' }))).toBe('mongo-pointread result is incomplete (wallSeconds, cpuSeconds).');
    expect(refusal(line({ latenciesUs: [1] }))).toBe('mongo-pointread result is incomplete (latenciesUs does not hold one latency per read).');
  });

  it('has no binary where setup has not built one', () => {
    expect(goProbeBinary('/nonexistent')).toBeUndefined();
  });
});

// The Node side of the probe's stdin/stdout protocol, against scripts that speak it (the real probe
// against the real server is packages/mongodb/suites/go-probe.suite.ts).
describe('goPointReads protocol', () => {
  let dir: string;
  const script = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  const request = { uri: 'mongodb://u:pw@127.0.0.1:1/', database: 'd', collection: 'c', docs: 10, concurrency: 2, seconds: 1, seed: 1 };
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'go-probe-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sends the request on stdin, starts the meter at "ready", and returns the result with the first error', async () => {
    const seen = path.join(dir, 'request.json');
    const probe = script(
      'ok',
      `read req; printf '%s' "$req" > ${seen}; echo '{"ready":true}'; read go; [ "$go" = go ] || exit 9
echo '{"reads":2,"misses":1,"errors":1,"firstError":"boom","wallSeconds":0.5,"cpuSeconds":0.002,"latenciesUs":[100,300]}'`,
    );
    const out = await goPointReads(probe, request, { self: [process.pid] });
    expect(JSON.parse(readFileSync(seen, 'utf8'))).toEqual(request);
    expect(out.outcome.opsPerSec).toBe(4);
    expect(out.outcome.misses).toBe(1);
    expect(out.outcome.latency.errors).toBe(1);
    expect(out.firstError).toBe('boom');
    expect(out.cpu!.cpuSeconds.client).toBe(0.002);
    expect(Object.keys(out.cpu!.cpuSeconds).sort()).toEqual(['client', 'self']);
  });

  it('exit 3 (cannot connect or read) is SERVICE_DOWN with the probe message; another exit is ENVIRONMENT', async () => {
    const down = script('down', `read req; echo 'mongo-pointread: cannot read: connection refused' >&2; exit 3`);
    await expect(goPointReads(down, request, undefined)).rejects.toMatchObject({ code: 'SERVICE_DOWN', message: 'mongo-pointread failed: mongo-pointread: cannot read: connection refused' });
    const broken = script('broken', `read req; exit 1`);
    await expect(goPointReads(broken, request, undefined)).rejects.toMatchObject({ code: 'ENVIRONMENT', message: 'mongo-pointread failed: exit 1' });
  });

  it('a binary that cannot run is named in the error', async () => {
    const missing = path.join(dir, 'missing');
    const err = await goPointReads(missing, request, undefined).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDevstackError(err) && err.code).toBe('ENVIRONMENT');
    expect((err as Error).message).toBe(`mongo-pointread failed: cannot run ${missing}: spawn ${missing} ENOENT`);
  });
});
