import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { MongoClient } from 'mongodb';
import { applyProfile, contextOf, startResult, tailFile, type LoadedConfig, type TaskResult } from '@devstack/core';
import { mongoBackendSettings, mongoBackendVersion, profileTuneTask, providerFor, StackLayout, type ProfileTuneOptions, type ProfileTuneSpec } from '@devstack/runtime';
import { resolveBackendProfile } from './backend-profiles';
import { bench, type MongoBenchOptions } from './bench';
import { mongodProfileDir, profileOf, renderProfile, settingMatches, type MongoProfile } from './profiles';
import { connect, serverInfo } from './server';

/** `--profile` is default | dev | auto or any configs/mongodb/<name>.conf (mongod: configs/mongodb/mongod/). */
export interface MongoTuneOptions extends MongoBenchOptions, ProfileTuneOptions {}

function flatten(obj: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = String(obj);
  return out;
}

/**
 * Effective values from the running mongod: the parsed config (getCmdLineOpts), overridden by what
 * the server reports it actually uses: cache size (serverStatus) and journal interval (getParameter).
 */
export async function readBackMongod(client: MongoClient): Promise<Record<string, string>> {
  const admin = client.db('admin');
  const out = flatten((await admin.command({ getCmdLineOpts: 1 })).parsed);
  const cache = (await admin.command({ serverStatus: 1 })).wiredTiger?.cache?.['maximum bytes configured'];
  if (cache !== undefined) out['storage.wiredTiger.engineConfig.cacheSizeGB'] = String(Math.round((Number(cache) / 2 ** 30) * 100) / 100);
  const p = await admin.command({ getParameter: 1, journalCommitInterval: 1 }).catch(() => undefined);
  if (p?.journalCommitInterval !== undefined) out['storage.journal.commitIntervalMs'] = String(p.journalCommitInterval);
  return out;
}

/** The file to apply: configs/mongodb/mongod/<name>.conf, except auto, rendered for this machine. */
function profileFile(layout: StackLayout, p: MongoProfile): string {
  if (p.name !== 'auto') return path.join(mongodProfileDir(layout.config.root), `${p.name}.conf`);
  const file = layout.conf('mongodb', 'profiles', 'auto.conf');
  mkdirSync(layout.conf('mongodb', 'profiles'), { recursive: true });
  writeFileSync(file, renderProfile(p));
  return file;
}

/** The backend PostgreSQL's own words on why it refused to start: the last FATAL lines of its log. */
function refusalFromLog(config: LoadedConfig): { file: string; lines: string } | undefined {
  const file = new StackLayout(config).log('mongodb-pg');
  const lines = tailFile(file, 80).split('\n').filter((l) => /FATAL:|LOG:  .*(invalid|unrecognized|parameter)/.test(l) && !/database system is (starting up|shutting down)/.test(l));
  return lines.length ? { file, lines: lines.slice(-5).join('\n') } : undefined;
}

/**
 * FerretDB: the knobs are its backend PostgreSQL's (configs/mongodb/*.conf), applied with core's shared
 * machinery: backup, restart of the mongodb service (FerretDB and its cluster), read-back from
 * pg_settings of the backend, automatic rollback; --compare benches YCSB A/B/C and inserts before/after.
 */
export const ferretTuneSpec: ProfileTuneSpec<MongoTuneOptions> = {
  backend: 'mongodb',
  service: 'mongodb',
  serverName: "FerretDB's backend PostgreSQL",
  resolveProfile: (config, name, file) => resolveBackendProfile(config, name, file),
  readBack: (config, names) => mongoBackendSettings(config, names),
  serverVersion: async (config) => {
    const client = await connect(config);
    try {
      const info = await serverInfo(client);
      return { name: info.name, version: `${info.version}, backend PostgreSQL ${await mongoBackendVersion(config)}` };
    } finally {
      await client.close();
    }
  },
  refusalFromLog,
  bench,
  sizeOptions: ['records', 'operations', 'concurrency', 'docSize', 'batchSize', 'singleInserts', 'workloads'],
};

export const tuneFerretDB = profileTuneTask<MongoTuneOptions>(ferretTuneSpec);

/** `nx run mongodb:tune --profile dev [--compare]`: FerretDB's backend PostgreSQL, or a real mongod's mongod.conf. */
export async function tune(options: MongoTuneOptions, signal?: AbortSignal): Promise<TaskResult> {
  const { config } = contextOf(options);
  const client = await connect(config);
  const info = await serverInfo(client).finally(() => client.close());
  if (info.name === 'FerretDB') return tuneFerretDB(options, signal);
  return tuneMongod(options);
}

/** mongod: mongod.conf profiles from configs/mongodb/mongod/ (backup, restart, read-back, rollback). */
async function tuneMongod(options: MongoTuneOptions): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const profile = profileOf(config.root, options.profile ?? config.profile);
  const result = startResult('mongodb', 'tune', { profile: profile.name });
  if (profile.formula) result.notes.push(`auto: ${profile.formula}`);
  const client = await connect(config);
  try {
    const info = await serverInfo(client);
    result.server = { name: info.name, version: info.version };
    await client.close();
    const outcome = await applyProfile({
      provider: providerFor(config),
      service: 'mongodb',
      file: profileFile(new StackLayout(config), profile),
      settings: profile.settings,
      readBack: async () => {
        const c = await connect(config);
        try {
          return await readBackMongod(c);
        } finally {
          await c.close();
        }
      },
      matches: settingMatches,
      dryRun: options.dryRun,
      progress,
    });
    result.tables.push(outcome.table);
    result.checks.push(...outcome.checks);
    if (outcome.backup) result.notes.push(`previous config backed up to ${outcome.backup}`);
    if (outcome.state === 'rolled-back') result.warnings.push(`rolled back: ${outcome.reason}`);
    result.data = { state: outcome.state, diff: outcome.diff, reason: outcome.reason, server: info };
    return result.finish();
  } finally {
    await client.close();
  }
}
