import { mkdirSync, writeFileSync } from 'node:fs';
import type { MongoClient } from 'mongodb';
import { applyProfile, contextOf, startResult, type CommonOptions, type TaskResult } from '@devstack/core';
import { providerFor, StackLayout } from '@devstack/runtime';
import { notApplicableOnFerret, profileOf, renderProfile, settingMatches, type MongoProfile } from './profiles';
import { connect, serverInfo } from './server';

export interface MongoTuneOptions extends CommonOptions {
  profile?: string;
  dryRun?: boolean;
}

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

/** The file to apply: configs/mongodb/<name>.conf, except auto, rendered for this machine. */
function profileFile(layout: StackLayout, p: MongoProfile): string {
  if (p.name !== 'auto') return layout.profile('mongodb', p.name);
  const file = layout.conf('mongodb', 'profiles', 'auto.conf');
  mkdirSync(layout.conf('mongodb', 'profiles'), { recursive: true });
  writeFileSync(file, renderProfile(p));
  return file;
}

/** `nx run mongodb:tune --profile dev`. On FerretDB: says per setting why it does not apply, changes nothing. */
export async function tune(options: MongoTuneOptions): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const profile = profileOf(config.root, options.profile ?? config.profile);
  const result = startResult('mongodb', 'tune', { profile: profile.name });
  if (profile.formula) result.notes.push(`auto: ${profile.formula}`);
  const client = await connect(config);
  try {
    const info = await serverInfo(client);
    result.server = { name: info.name, version: info.version };
    if (info.name === 'FerretDB') {
      result.tables.push({
        title: `FerretDB ${info.ferretdbVersion}: profile "${profile.name}" does not apply (nothing was changed)`,
        head: ['setting', 'requested', 'applied', 'why not'],
        rows: profile.settings.length ? profile.settings.map((s) => [s.name, s.value, 'no', notApplicableOnFerret(s)]) : [['(none: stock settings)', '-', 'no', 'nothing to apply']],
      });
      result.checks.push(...profile.settings.map((s) => ({ name: `${s.name} = ${s.value}`, passed: false, skipped: true, detail: `not applicable: ${notApplicableOnFerret(s)}` })));
      result.notes.push(`the server is FerretDB ${info.ferretdbVersion} (MongoDB ${info.protocolVersion} protocol), not mongod: mongod.conf profiles apply to mongod only; nothing was changed`);
      result.data = { state: 'not-applicable', server: info };
      return result.finish();
    }
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
