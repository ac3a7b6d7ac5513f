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
    return {
      state: 'dry-run',
      diff,
      table: { title: 'Dry run: changes that would be applied (nothing was changed)', head: ['change'], rows: diff.length ? diff.map((d) => [d]) : [['(no change)']] },
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
