import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LatencyRecorder } from '@devstack/core';
import { parsePgbenchOutput, recordPgbenchLog } from '../src/pgbench-output';

const fixture = (f: string) => readFileSync(path.join(__dirname, 'fixtures', f), 'utf8');

describe('pgbench output (captured from pgbench 15.18)', () => {
  it('parses a tpcb-like summary', () => {
    expect(parsePgbenchOutput(fixture('pgbench-tpcb-like.txt'))).toEqual({
      transactionType: 'TPC-B (sort of)',
      scale: 1,
      clients: 2,
      threads: 2,
      durationS: 3,
      processed: 5793,
      failed: 0,
      latencyAvgMs: 1.034,
      latencyStddevMs: undefined,
      initialConnectionMs: 12.635,
      tps: 1933.607147,
    });
  });

  it('parses a select-only summary', () => {
    const s = parsePgbenchOutput(fixture('pgbench-select-only.txt'));
    expect(s.transactionType).toBe('select only');
    expect(s.processed).toBe(110532);
    expect(s.tps).toBe(36946.711859);
    expect(s.latencyAvgMs).toBe(0.054);
  });

  it('reads failed transactions when pgbench reports them', () => {
    const text = fixture('pgbench-tpcb-like.txt').replace('number of failed transactions: 0 (0.000%)', 'number of failed transactions: 7 (0.121%)');
    expect(parsePgbenchOutput(text).failed).toBe(7);
  });

  it('refuses text that is not a pgbench summary, naming what is missing', () => {
    expect(() => parsePgbenchOutput(fixture('pgbench-init.stderr.txt'))).toThrow('not a pgbench summary (missing transaction type, tps, transactions processed, latency average)');
  });

  it('records the per-transaction log into an HDR histogram with ordered percentiles', () => {
    const rec = new LatencyRecorder();
    const { recorded, failed } = recordPgbenchLog(fixture('pgbench-tpcb-like.log'), rec);
    expect(recorded).toBe(400);
    expect(failed).toBe(0);
    const s = rec.snapshot();
    expect(s.count).toBe(400);
    // First line of the fixture: "0 1 4247 0 ..." = 4.247 ms.
    expect(s.max).toBeGreaterThanOrEqual(4.247);
    expect(s.min).toBeGreaterThan(0);
    expect(s.p50).toBeLessThanOrEqual(s.p95);
    expect(s.p95).toBeLessThanOrEqual(s.p99);
    expect(s.p99).toBeLessThanOrEqual(s.max);
  });

  it('counts failed log lines instead of recording them as latencies', () => {
    const rec = new LatencyRecorder();
    expect(recordPgbenchLog('0 1 1500 0 1795932391 190913\n0 2 failed 0 1795932391 192136\n', rec)).toEqual({ recorded: 1, failed: 1 });
    expect(rec.snapshot().max).toBe(1.5);
  });
});
