import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { metricFromTrials, writeResult, type TaskResult } from '../src/results';
import { writeTuningDoc } from '../src/tuning-doc';

const machine = { cpuModel: 'Test CPU', cores: 2, memoryGiB: 8, os: 'Linux', node: 'v20' };

function compare(startedAt: string, before: string, after: string, b: number[], a: number[], state: TaskResult['state'] = 'completed'): TaskResult {
  return {
    backend: 'postgres',
    task: 'compare',
    state,
    startedAt,
    durationMs: 60_000,
    machine,
    server: { name: 'PostgreSQL', version: '15.18' },
    metrics: [
      metricFromTrials('tps', 'tx/s', 'higher', b, { labels: { arm: before } }),
      metricFromTrials('tps', 'tx/s', 'higher', a, { labels: { arm: after } }),
    ],
    checks: [],
    tables: [{ title: 't', head: ['metric', before, after], rows: [['tps', `${b[1]}`, `${a[1]}`]] }],
    data: { before, after, trials: b.length, command: `npx nx run postgres:tune --profile ${after} --compare --quick --trials 3` },
  };
}

describe('writeTuningDoc', () => {
  it('renders .devstack/report/TUNING_RESULTS.md from compare result files only, newest per pair', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'devstack-doc-'));
    const stateRoot = path.join(root, '.devstack');
    writeResult(stateRoot, compare('2026-01-01T00:00:00.000Z', 'default', 'dev', [1, 2, 3], [10, 20, 30]));
    writeResult(stateRoot, compare('2026-01-02T00:00:00.000Z', 'default', 'dev', [4, 5, 6], [40, 50, 60]));
    writeResult(stateRoot, compare('2026-01-03T00:00:00.000Z', 'default', 'auto', [7, 8, 9], [70, 80, 90]));
    writeResult(stateRoot, compare('2026-01-04T00:00:00.000Z', 'default', 'broken', [1, 1, 1], [1, 1, 1], 'errored'));
    const file = writeTuningDoc({ root, stateRoot });
    expect(file).toBe(path.join(stateRoot, 'report', 'TUNING_RESULTS.md'));
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('Do not edit by hand');
    expect(text).toContain('## postgres');
    // Newest comparison per pair; the older default-vs-dev run and the errored one are left out.
    expect(text).toContain('### default vs dev');
    expect(text).toContain('- recorded: 2026-01-02T00:00:00.000Z, 3 trials per arm, 60 s');
    expect(text).not.toContain('2026-01-01T00:00:00.000Z');
    expect(text).not.toContain('broken');
    expect(text).toContain('- command: `npx nx run postgres:tune --profile auto --compare --quick --trials 3`');
    // Side by side: default from the newest run that measured it (the auto comparison).
    expect(text).toContain('| metric | unit | default | auto | dev |');
    expect(text).toContain('| tps | tx/s | 8 ±1 | 80 ±10 | 50 ±10 |');
  });

  it('says how to record one when there are no comparisons', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'devstack-doc-'));
    const text = readFileSync(writeTuningDoc({ root, stateRoot: path.join(root, '.devstack') }), 'utf8');
    expect(text).toContain('No comparisons recorded yet. Run e.g. `npx nx run postgres:tune --profile dev --compare`.');
  });
});
