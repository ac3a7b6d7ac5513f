import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LatencyRecorder } from '@devstack/core';
import { parseSysbenchOutput, recordSysbenchHistogram } from '../src/sysbench-output';

const fixture = (f: string) => readFileSync(path.join(__dirname, 'fixtures', f), 'utf8');

describe('sysbench output (captured from sysbench 1.0.20 against MariaDB 10.11)', () => {
  it('parses oltp_read_write', () => {
    expect(parseSysbenchOutput(fixture('sysbench-oltp-read-write.txt'))).toEqual({
      threads: 2,
      transactions: 2955,
      tps: 983.13,
      queries: 59100,
      qps: 19662.64,
      reads: 41370,
      writes: 11820,
      ignoredErrors: 0,
      reconnects: 0,
      totalTimeS: 3.0051,
      latency: { minMs: 0.71, avgMs: 2.03, maxMs: 21.07, percentile: 95, percentileMs: 4.82 },
    });
  });

  it('parses oltp_read_only (no writes) and oltp_write_only', () => {
    const ro = parseSysbenchOutput(fixture('sysbench-oltp-read-only.txt'));
    expect(ro).toMatchObject({ transactions: 6212, tps: 2065.56, qps: 33048.96, writes: 0 });
    expect(ro.latency.percentileMs).toBe(2.35);
    const wo = parseSysbenchOutput(fixture('sysbench-oltp-write-only.txt'));
    expect(wo).toMatchObject({ transactions: 9446, tps: 3140.22, reads: 0 });
    expect(wo.latency.percentileMs).toBe(1.52);
  });

  it('refuses text that is not a sysbench report', () => {
    expect(() => parseSysbenchOutput('sysbench 1.0.20\nFATAL: unable to connect')).toThrow('not a sysbench report (missing number of threads)');
  });

  it.each([
    ['sysbench-oltp-read-write.txt', 2955, 4.82],
    ['sysbench-oltp-read-only.txt', 6212, 2.35],
    ['sysbench-oltp-write-only.txt', 9446, 1.52],
  ])('records the histogram of %s: every event, p95 close to sysbench\'s own', (file, events, sysbenchP95) => {
    const rec = new LatencyRecorder();
    expect(recordSysbenchHistogram(fixture(file), rec)).toBe(events);
    const s = rec.snapshot();
    expect(s.count).toBe(events);
    expect(s.p50).toBeLessThanOrEqual(s.p95);
    expect(s.p95).toBeLessThanOrEqual(s.p99);
    expect(s.p99).toBeLessThanOrEqual(s.max);
    // Same buckets, different percentile code: within a few percent of what sysbench printed.
    expect(Math.abs(s.p95 - sysbenchP95) / sysbenchP95).toBeLessThan(0.05);
  });

  it('says so when the run had no --histogram', () => {
    expect(() => recordSysbenchHistogram('SQL statistics:\n', new LatencyRecorder())).toThrow('sysbench output has no latency histogram (run with --histogram)');
  });
});
