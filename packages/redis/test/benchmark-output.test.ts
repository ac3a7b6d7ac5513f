import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDevstackError } from '@devstack/core';
import { parseBenchmarkCsv } from '../src/benchmark-output';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

describe('parseBenchmarkCsv (real redis-benchmark 7.0 output)', () => {
  it('parses cluster-mode output after the "Cluster has 3 master nodes" preamble', () => {
    const rows = parseBenchmarkCsv(fixture('cluster-set-get.csv'));
    expect(rows.map((r) => r.command)).toEqual(['SET', 'GET']);
    expect(rows[0]).toMatchObject({ test: 'SET', rps: 7968.13, avgMs: 0.115, minMs: 0.016, p50Ms: 0.071, p95Ms: 0.255, p99Ms: 0.399, maxMs: 2.679 });
  });

  it('parses pipelined cluster output', () => {
    const rows = parseBenchmarkCsv(fixture('cluster-set-get-p16.csv'));
    expect(rows[1]).toMatchObject({ command: 'GET', rps: 7874.02, p95Ms: 2.647 });
  });

  it('takes the command word of a custom command line as the command', () => {
    const [row] = parseBenchmarkCsv(fixture('node-set-custom.csv'));
    expect(row.command).toBe('SET');
    expect(row.test.startsWith('SET {bench2}:__rand_int__ ')).toBe(true);
    expect(row.rps).toBe(58823.53);
    const [get] = parseBenchmarkCsv(fixture('node-get-custom-p16.csv'));
    expect(get).toMatchObject({ command: 'GET', p99Ms: 0.199 });
  });

  it('raises the server error the tool printed instead of rows (a MOVED on a cluster node)', () => {
    const text = fixture('node-moved-error.txt');
    expect(() => parseBenchmarkCsv(text)).toThrow(/MOVED 13782 127\.0\.0\.1:17202/);
    try {
      parseBenchmarkCsv(text);
    } catch (err) {
      expect(isDevstackError(err, 'CHECK_FAILED')).toBe(true);
    }
  });

  it('refuses output without the CSV header', () => {
    expect(() => parseBenchmarkCsv('SET: 1000.00 requests per second\n')).toThrow(/no CSV header/);
  });

  it('refuses a header without rows', () => {
    expect(() => parseBenchmarkCsv(fixture('cluster-set-get.csv').split('\n').slice(0, 7).join('\n'))).toThrow(/no result rows/);
  });
});
