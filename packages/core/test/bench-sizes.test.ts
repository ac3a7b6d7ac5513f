import { sizePlan, sizeOf, type BenchSizes } from '../src/bench-sizes';
import { backendCommands, dbBenchFlags, KEEP_FLAG, sizeFlags } from '../src/backend-cli';
import { startResult } from '../src/task';
import type { TaskResult } from '../src/results';

const SIZES: BenchSizes<{ rows: number; probeDuration: number }> = { quick: { rows: 10, probeDuration: 2 }, full: { rows: 1000, probeDuration: 10 } };

describe('bench sizes', () => {
  it('--quick picks quick, otherwise full; a given option overrides the size', () => {
    expect(sizeOf(SIZES, { quick: true })).toBe(SIZES.quick);
    expect(sizePlan(SIZES, {})).toEqual({ rows: 1000, probeDuration: 10 });
    expect(sizePlan(SIZES, { quick: true, rows: 7 })).toEqual({ rows: 7, probeDuration: 2 });
  });

  it('a non-positive or fractional size is BAD_INPUT naming the flag, with the quick value as example', () => {
    expect(() => sizePlan(SIZES, { probeDuration: 0 })).toThrow(expect.objectContaining({ code: 'BAD_INPUT', message: '--probe-duration must be a positive integer; got 0.', fix: 'Example: --probe-duration 2' }));
    expect(() => sizePlan(SIZES, { rows: 1.5 })).toThrow('--rows must be a positive integer; got 1.5.');
  });

  it('size flags take their quick/full figures from the sizes', () => {
    expect(sizeFlags(SIZES, { rows: 'rows per table' })).toEqual([
      { name: 'rows', type: 'number', description: 'rows per table (quick 10, full 1000)' },
      { name: 'probe-duration', type: 'number', description: 'driver probe seconds (quick 2, full 10)' },
    ]);
  });
});

describe('backend commands', () => {
  const task = async (): Promise<TaskResult> => startResult('x', 'bench').finish();
  it('every backend with tune gets the same tune flags, including --file and --compare-with', () => {
    const c = backendCommands({ backend: 'x', bench: task, baseline: task, regress: task, tune: task, benchDescription: 'b', benchFlags: [], thresholdsExample: 'x_tps', tuneHints: { profile: 'p', file: 'f' } });
    expect(Object.keys(c)).toEqual(['bench', 'tune', 'baseline', 'regress']);
    expect(c.tune.flags?.map((f) => f.name)).toEqual(['profile', 'file', 'dry-run', 'compare', 'compare-with']);
    expect(c.regress.flags?.map((f) => f.name)).toEqual(['base', 'strict', 'thresholds', 'max-trials', 'max-seconds', 'calibrate', 'runs']);
    expect(c.baseline.flags?.map((f) => f.name)).toContain('force');
  });

  it('a backend\'s own tune flags go after --file; its --compare bench flags and words replace the defaults; no --profile default where it says so', () => {
    const own = { name: 'set', type: 'list' as const, description: 's' };
    const quick = { name: 'quick', type: 'boolean' as const, description: 'q' };
    const c = backendCommands({
      backend: 'x', bench: task, baseline: task, regress: task, tune: task, benchDescription: 'b', benchFlags: [quick, { name: 'keep', type: 'boolean', description: 'k' }], thresholdsExample: 'x_ops',
      tuneHints: { profile: 'p', file: 'f', defaultProfile: false, compare: 'each arm a restart' }, tuneExtraFlags: [own], tuneBenchFlags: [quick], tuneDescription: 'T', regressNote: 'rolling',
    });
    expect(c.tune.flags?.map((f) => f.name)).toEqual(['profile', 'file', 'set', 'dry-run', 'compare', 'compare-with', 'quick']);
    expect(c.tune.flags?.[0]).not.toHaveProperty('default');
    expect(c.tune.flags?.find((f) => f.name === 'compare')?.description).toBe('each arm a restart, written to .devstack/report/TUNING_RESULTS.md');
    expect(c.tune.description).toBe('T');
    expect(c.regress.description).toContain('vs the working tree (rolling); without a ref, baselines/x.json');
    expect(c.regress.flags?.find((f) => f.name === 'thresholds')?.description).toContain('x_ops=0.3');
    expect(c.regress.flags?.map((f) => f.name).slice(0, 2)).toEqual(['quick', 'keep']);
  });

  it('dbBenchFlags: --quick, --keep, one flag per size with its quick and full values, --workloads', () => {
    const flags = dbBenchFlags({ quick: { rows: 10, probeDuration: 2 }, full: { rows: 100, probeDuration: 10 } }, { quick: 'q', sizes: { rows: 'rows per table' }, workloads: 'w' });
    expect(flags.map((f) => [f.name, f.description])).toEqual([
      ['quick', 'q'],
      ['keep', KEEP_FLAG.description],
      ['rows', 'rows per table (quick 10, full 100)'],
      ['probe-duration', 'driver probe seconds (quick 2, full 10)'],
      ['workloads', 'w'],
    ]);
  });
});

describe('startResult', () => {
  it('notes, tables and warnings exist from the start, even when extra passes none', () => {
    const r = startResult('x', 'y', { profile: 'dev' });
    r.notes.push('n');
    expect([r.notes, r.tables, r.warnings]).toEqual([['n'], [], []]);
    expect(r.finish()).not.toHaveProperty('finish');
  });
});
