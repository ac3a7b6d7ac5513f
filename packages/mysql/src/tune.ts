import { tailFile, type LoadedConfig } from '@devstack/core';
import { sessionProfileTune, StackLayout, type ProfileTuneOptions } from '@devstack/runtime';
import { bench, type MysqlBenchOptions } from './bench';
import { mysqlSession, serverVersion, type MysqlSession } from './connection';
import { resolveProfile } from './profiles';
import { readVariables } from './read-back';

/** `--profile` is default | dev | auto, or any configs/mysql/<name>.cnf. */
export interface MysqlTuneOptions extends MysqlBenchOptions, ProfileTuneOptions {}

/** The server's own words on why it refused to start: its last [ERROR] lines. */
function refusalFromLog(config: LoadedConfig): { file: string; lines: string } | undefined {
  const file = new StackLayout(config).log('mysql');
  const lines = tailFile(file, 80)
    .split('\n')
    .filter((l) => /\[ERROR\]/.test(l))
    .slice(-5)
    .join('\n');
  return lines ? { file, lines } : undefined;
}

/** What the shared tune task (and the A/B regress) need from MariaDB; `nx run mysql:tune --profile <name>` applies with backup, restart, read-back and automatic rollback. */
export const { tuneSpec, tune } = sessionProfileTune<MysqlTuneOptions, MysqlSession>('mysql', 'MariaDB', { session: mysqlSession, readBack: readVariables, serverVersion, resolveProfile, refusalFromLog, bench, sizeOptions: ['tables', 'rows', 'threads', 'duration', 'workloads', 'probeConcurrency', 'probeDuration'] });
