import { checksTable, fitColumns, renderResult, renderTable, terminalWidth } from '../src/output';
import type { TaskResult } from '../src/results';
import { machineFingerprint } from '../src/machine';

const widest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

describe('tables fit the terminal', () => {
  it('keeps a narrow table as it is', () => {
    expect(fitColumns([10, 12], 120)).toBeUndefined();
    const out = renderTable({ title: 'T', head: ['a', 'b'], rows: [['x', 1.23456]] }, { width: 120 });
    expect(out).toContain('1.23');
    expect(widest(out)).toBeLessThan(20);
  });

  it('shares the width among the wide columns and keeps narrow ones whole', () => {
    const w = fitColumns([8, 300, 200], 120)!;
    expect(w[0]).toBe(8);
    expect(w.reduce((a, b) => a + b, 0) + 4).toBeLessThanOrEqual(120);
    expect(w[1]).toBe(w[2]);
  });

  it('wraps a 300-column failover-like check table into 120 columns, unbroken words included', () => {
    const rows = [['scenario 2: kill -9 a master, replica promoted within budget', 'PASS', `cluster_state:ok within 5000 ms ${'x'.repeat(150)}`, 'promoted 127.0.0.1:17504 after 2311 ms; CLUSTERDOWN seen on 3 shards', 'detail '.repeat(20)]];
    const out = renderTable({ title: 'Checks', head: ['check', 'verdict', 'expected', 'observed', 'detail'], rows }, { width: 120 });
    expect(widest(out)).toBeLessThanOrEqual(120);
    expect(out.replace(/[│\s]/g, '')).toContain('x'.repeat(20));
  });

  it('prints a table with a text body verbatim (unified diffs)', () => {
    expect(renderTable({ title: 'Dry run', head: ['diff'], rows: [], text: '--- a\n+++ b' })).toBe('Dry run\n--- a\n+++ b');
  });

  it('uses DEVSTACK_TABLE_WIDTH, then the terminal, else 120', () => {
    expect(terminalWidth({ DEVSTACK_TABLE_WIDTH: '100' }, { isTTY: true, columns: 200 })).toBe(100);
    expect(terminalWidth({}, { isTTY: true, columns: 200 })).toBe(200);
    expect(terminalWidth({}, { isTTY: false })).toBe(120);
  });
});

describe('check texts', () => {
  const long = 'observed '.repeat(20);
  const result = (): TaskResult => ({
    backend: 'redis',
    task: 'failover',
    state: 'completed',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1000,
    machine: machineFingerprint(),
    metrics: [],
    checks: [{ name: 'c1', passed: false, expected: 'short', observed: long }],
  });

  it('shortens long expected/observed texts unless verbose, and says where the whole text is', () => {
    const short = checksTable(result().checks, false).rows[0];
    expect(String(short[3]).length).toBe(60);
    expect(String(short[3]).endsWith('…')).toBe(true);
    expect(checksTable(result().checks, true).rows[0][3]).toBe(long);
    const text = renderResult(result(), '/x/result.json', { width: 120 });
    expect(text).toContain('--verbose or the result file has them whole');
    expect(renderResult(result(), undefined, { width: 120, verbose: true })).not.toContain('shortened');
    expect(text).toContain('0 passed, 1 failed');
  });
});
