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
