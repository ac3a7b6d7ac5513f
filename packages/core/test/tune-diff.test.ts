import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyProfile, configDiff, unifiedDiff } from '../src/tune';
import type { StackProvider } from '../src/provider';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\n', 'a\n', { from: 'x', to: 'y' })).toBe('');
  });

  it('writes diff -u hunks: removals before additions, 3 lines of context, separate hunks far apart', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n';
    const after = 'a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n';
    expect(unifiedDiff(before, after, { from: 'old.conf', to: 'new.conf' }).split('\n')).toEqual([
      '--- old.conf',
      '+++ new.conf',
      '@@ -1,5 +1,5 @@',
      ' a',
      '-b',
      '+B',
      ' c',
      ' d',
      ' e',
      '@@ -9,3 +9,4 @@',
      ' i',
      ' j',
      ' k',
      '+l',
    ]);
  });

  it('diffs against an empty file', () => {
    expect(unifiedDiff('', 'x = 1\n', { from: 'a', to: 'b' }).split('\n').slice(2)).toEqual(['@@ -1,1 +1,1 @@', '-', '+x = 1']);
  });
});

describe('applyProfile --dry-run', () => {
  it('shows a unified diff of the active config and changes nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tune-diff-'));
    const active = path.join(dir, 'active.conf');
    const next = path.join(dir, 'dev.conf');
    writeFileSync(active, 'fsync = on\n');
    writeFileSync(next, 'fsync = off\n');
    const calls: string[] = [];
    const provider = { activeConfig: () => active, applyConfig: async () => (calls.push('apply'), { active }), restart: async () => void calls.push('restart') } as unknown as StackProvider;
    const out = await applyProfile({ provider, service: 'postgres', file: next, settings: [], readBack: async () => ({}), matches: () => true, dryRun: true });
    expect(out.state).toBe('dry-run');
    expect(out.table.text).toBe(`--- ${active} (active)\n+++ ${next}\n@@ -1,1 +1,1 @@\n-fsync = on\n+fsync = off`);
    expect(out.diff).toEqual(configDiff('fsync = on', 'fsync = off'));
    expect(calls).toEqual([]);
  });
});

describe('applyProfile: apply, read back, roll back', () => {
  const setup = (effective: Record<string, string>, restartFails = false) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tune-apply-'));
    const active = path.join(dir, 'active.conf');
    const next = path.join(dir, 'dev.conf');
    writeFileSync(active, 'fsync = on\n');
    writeFileSync(next, 'fsync = off\n');
    const calls: string[] = [];
    let restarts = 0;
    const provider = {
      activeConfig: () => active,
      applyConfig: async (_s: string, file: string) => (calls.push(`apply ${path.basename(file)}`), { active, backup: file === next ? path.join(dir, 'backup.conf') : undefined }),
      restart: async () => {
        calls.push('restart');
        if (restartFails && restarts++ === 0) throw new Error('FATAL: invalid value\nmore');
      },
    } as unknown as StackProvider;
    const settings = [{ name: 'fsync', value: 'off', reason: 'speed' }];
    return { calls, run: () => applyProfile({ provider, service: 'postgres', file: next, settings, readBack: async () => effective, matches: (s, e) => s.value === e }) };
  };

  it('applied: every setting read back', async () => {
    const { calls, run } = setup({ fsync: 'off' });
    const out = await run();
    expect(out.state).toBe('applied');
    expect(out.checks).toEqual([{ name: 'fsync = off', passed: true, expected: 'off', observed: 'off' }]);
    expect(calls).toEqual(['apply dev.conf', 'restart']);
  });

  it('rolled back when a setting does not take', async () => {
    const { calls, run } = setup({ fsync: 'on' });
    const out = await run();
    expect(out.state).toBe('rolled-back');
    expect(out.reason).toBe('setting(s) did not take: fsync requested off, effective on');
    expect(calls).toEqual(['apply dev.conf', 'restart', 'apply backup.conf', 'restart']);
  });

  it('rolled back when the server refuses to start, with its first error line', async () => {
    const { run } = setup({}, true);
    const out = await run();
    expect(out.reason).toBe('the server refused the new config: FATAL: invalid value');
    expect(out.checks[0]).toMatchObject({ passed: false, detail: expect.stringContaining('rolled back') });
  });
});
