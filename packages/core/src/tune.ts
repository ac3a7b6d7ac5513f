import { existsSync, readFileSync } from 'node:fs';
import type { StackService } from './registry';
import { DevstackError } from './errors';
import type { StackProvider } from './provider';
import type { Check, ResultTable } from './results';

/** One setting of a profile, with why it is there and what it risks. */
export interface ProfileSetting {
  name: string;
  value: string;
  reason: string;
  /** Set when the setting trades durability or safety for speed. */
  durability?: string;
}

export interface ApplyProfileInput {
  provider: StackProvider;
  service: StackService;
  /** The rendered config file to make active. */
  file: string;
  settings: ProfileSetting[];
  /** Read the effective values from the running server (SHOW, SHOW VARIABLES, CONFIG GET ...). */
  readBack: () => Promise<Record<string, string>>;
  /** Does the effective value satisfy the requested one? (units differ between config and SHOW) */
  matches: (setting: ProfileSetting, effective: string | undefined) => boolean;
  /** Restart the service (default: provider.restart). Redis uses a rolling restart. */
  restart?: () => Promise<void>;
  dryRun?: boolean;
  progress?: (m: string) => void;
}

export interface ApplyProfileOutcome {
  state: 'dry-run' | 'applied' | 'rolled-back';
  diff: string[];
  table: ResultTable;
  checks: Check[];
  backup?: string;
  /** Why the rollback happened. */
  reason?: string;
}

/** Line diff of the active config against the new one ("- old", "+ new"), comments ignored. */
export function configDiff(current: string, next: string): string[] {
  const clean = (t: string) => t.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith(';'));
  const a = clean(current);
  const b = clean(next);
  return [...a.filter((l) => !b.includes(l)).map((l) => `- ${l}`), ...b.filter((l) => !a.includes(l)).map((l) => `+ ${l}`)];
}

/**
 * `diff -u` of two config texts: --- / +++ headers, @@ hunks with `context` lines around each change.
 * Line-based LCS; config files are small.
 */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  const a = before.replace(/\n$/, '').split('\n');
  const b = after.replace(/\n$/, '').split('\n');
  if (before === after) return '';
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  // The edit script: ' ' kept, '-' removed, '+' added, with line numbers in each file.
  const ops: { op: ' ' | '-' | '+'; text: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ op: ' ', text: a[i++], ai: i, bi: ++j });
    else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ op: '-', text: a[i++], ai: i, bi: j });
    else ops.push({ op: '+', text: b[j++], ai: i, bi: j });
  }
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k].op === ' ') {
      k++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is within 2 * context kept lines of the previous one.
    const start = Math.max(0, k - context);
    let end = k;
    let kept = 0;
    for (let x = k; x < ops.length; x++) {
      if (ops[x].op === ' ') {
        kept++;
        if (kept > 2 * context) break;
      } else {
        kept = 0;
        end = x;
      }
    }
    const stop = Math.min(ops.length, end + context + 1);
    const hunk = ops.slice(start, stop);
    const aStart = hunk[0].op === '+' ? hunk[0].ai : hunk[0].ai - (hunk[0].op === ' ' || hunk[0].op === '-' ? 1 : 0);
    const bStart = hunk[0].op === '-' ? hunk[0].bi : hunk[0].bi - 1;
    const aLen = hunk.filter((h) => h.op !== '+').length;
    const bLen = hunk.filter((h) => h.op !== '-').length;
    out.push(`@@ -${aLen ? aStart + 1 : aStart},${aLen} +${bLen ? bStart + 1 : bStart},${bLen} @@`);
    for (const h of hunk) out.push(`${h.op}${h.text}`);
    k = stop;
  }
  return out.join('\n');
}

/**
 * The tune contract: back up the active config, write the new one, restart through the provider,
 * read every setting back. If the server refuses to start or a setting does not take, restore the
 * backup and restart again, and report it (the caller exits 1). --dry-run shows the diff only.
 */
export async function applyProfile(input: ApplyProfileInput): Promise<ApplyProfileOutcome> {
  const activePath = input.provider.activeConfig(input.service);
  const current = activePath && existsSync(activePath) ? readFileSync(activePath, 'utf8') : '';
  const diff = configDiff(current, readFileSync(input.file, 'utf8'));
  const progress = input.progress ?? (() => undefined);
  if (input.dryRun) {
    const text = unifiedDiff(current, readFileSync(input.file, 'utf8'), { from: activePath ? `${activePath} (active)` : '(no active config)', to: input.file });
    return {
      state: 'dry-run',
      diff,
      table: { title: 'Dry run: changes that would be applied (nothing was changed)', head: ['diff'], rows: [], text: text || '(no change)' },
      checks: [],
    };
  }
  const restart = input.restart ?? (() => input.provider.restart(input.service, { progress }));
  const applied = await input.provider.applyConfig(input.service, input.file);
  let reason: string | undefined;
  let effective: Record<string, string> = {};
  try {
    progress(`${input.service}: restarting with the new config`);
    await restart();
    effective = await input.readBack();
    const failed = input.settings.filter((s) => !input.matches(s, effective[s.name]));
    if (failed.length) reason = `setting(s) did not take: ${failed.map((s) => `${s.name} requested ${s.value}, effective ${effective[s.name] ?? '(unknown)'}`).join('; ')}`;
  } catch (err) {
    reason = `the server refused the new config: ${(err as Error).message.split('\n')[0]}`;
  }
  const rows = input.settings.map((s) => [s.name, s.value, effective[s.name] ?? '-', input.matches(s, effective[s.name]) ? 'yes' : 'NO', s.reason, s.durability ?? '']);
  const table: ResultTable = { title: `${input.service}: requested vs effective`, head: ['setting', 'requested', 'effective', 'took', 'reason', 'durability warning'], rows };
  if (!reason) {
    return {
      state: 'applied',
      diff,
      table,
      backup: applied.backup,
      checks: input.settings.map((s) => ({ name: `${s.name} = ${s.value}`, passed: true, expected: s.value, observed: effective[s.name] })),
    };
  }
  progress(`${input.service}: ${reason}; rolling back to ${applied.backup ?? 'the previous config'}`);
  if (!applied.backup) throw new DevstackError('ENVIRONMENT', `${input.service}: ${reason}, and there is no backup to roll back to.`);
  await input.provider.applyConfig(input.service, applied.backup);
  await restart();
  return {
    state: 'rolled-back',
    diff,
    table,
    backup: applied.backup,
    reason,
    checks: [{ name: `${input.service} accepted the profile`, passed: false, detail: `rolled back: ${reason}` }],
  };
}
