import { sizePlan, sizeOf, type BenchSizes } from '../src/bench-sizes';
import { backendCommands, sizeFlags } from '../src/backend-cli';
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
});

describe('startResult', () => {
  it('notes, tables and warnings exist from the start, even when extra passes none', () => {
    const r = startResult('x', 'y', { profile: 'dev' });
    r.notes.push('n');
    expect([r.notes, r.tables, r.warnings]).toEqual([['n'], [], []]);
    expect(r.finish()).not.toHaveProperty('finish');
  });
});
