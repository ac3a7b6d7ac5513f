import { tailFile, type LoadedConfig } from '@devstack/core';
import { sessionProfileTune, StackLayout, type ProfileTuneOptions } from '@devstack/runtime';
import { bench, type PostgresBenchOptions } from './bench';
import { pgSession, serverVersion, type PgSession } from './connection';
import { resolveProfile } from './profiles';
import { readSettings } from './read-back';

/** `--profile` is default | dev | auto, or any configs/postgres/<name>.conf. */
export interface PostgresTuneOptions extends PostgresBenchOptions, ProfileTuneOptions {}

/** The server's own words on why it refused to start: every line of the process that logged the last FATAL. */
function refusalFromLog(config: LoadedConfig): { file: string; lines: string } | undefined {
  const file = new StackLayout(config).log('postgres');
  const lines = tailFile(file, 80).split('\n');
  const fatal = lines.filter((l) => /FATAL:/.test(l) && !/database system is (starting up|shutting down)/.test(l)).pop();
  const pid = fatal ? /\[(\d+)\]/.exec(fatal)?.[1] : undefined;
  const picked = pid ? lines.filter((l) => l.includes(`[${pid}]`)).slice(-5) : [];
  return picked.length ? { file, lines: picked.join('\n') } : undefined;
}

/** What the shared tune task (and the A/B regress) need from PostgreSQL; `nx run postgres:tune --profile <name>` applies with backup, restart, read-back and automatic rollback. */
export const { tuneSpec, tune } = sessionProfileTune<PostgresTuneOptions, PgSession>('postgres', 'PostgreSQL', { session: pgSession, readBack: readSettings, serverVersion, resolveProfile, refusalFromLog, bench, sizeOptions: ['scale', 'clients', 'threads', 'duration', 'workloads', 'probeConcurrency', 'probeDuration'] });
