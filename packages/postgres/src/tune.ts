import { tailFile, type LoadedConfig } from '@devstack/core';
import { profileTuneTask, StackLayout, type ProfileTuneOptions, type ProfileTuneSpec } from '@devstack/runtime';
import { bench, type PostgresBenchOptions } from './bench';
import { pgSession, serverVersion } from './connection';
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

/** What the shared tune task (and the A/B regress) need from PostgreSQL. */
export const tuneSpec: ProfileTuneSpec<PostgresTuneOptions> = {
  backend: 'postgres',
  service: 'postgres',
  serverName: 'PostgreSQL',
  resolveProfile: (config, name, file) => resolveProfile(config, name, file),
  readBack: async (config, names) => readSettings(await pgSession(config), names),
  serverVersion: async (config) => serverVersion(await pgSession(config)),
  refusalFromLog,
  bench,
  sizeOptions: ['scale', 'clients', 'threads', 'duration', 'workloads', 'probeConcurrency', 'probeDuration'],
};

/** `nx run postgres:tune --profile <name>`: apply with backup, restart, read-back and automatic rollback. */
export const tune = profileTuneTask<PostgresTuneOptions>(tuneSpec);
