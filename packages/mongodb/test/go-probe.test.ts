import { isDevstackError } from '@devstack/core';
import { goProbeBinary, goProbeOutcome, parseGoProbeResult } from '../src/go-probe';

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
