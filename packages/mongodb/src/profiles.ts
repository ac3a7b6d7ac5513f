import { existsSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DevstackError, type ProfileSetting } from '@devstack/core';

/**
 * A mongod profile: settings are dotted mongod.conf paths (storage.wiredTiger.engineConfig.cacheSizeGB).
 * These apply only when the server is a real `mongod` on PATH; their files live in configs/mongodb/mongod/.
 * FerretDB's knobs are its backend PostgreSQL's (configs/mongodb/*.conf, see backend-profiles.ts).
 */
export interface MongoProfile {
  name: string;
  summary: string;
  settings: ProfileSetting[];
  /** How machine-dependent values were computed, shown in the file and by tune. */
  formula?: string;
}

const CACHE = 'storage.wiredTiger.engineConfig.cacheSizeGB';
const COMPRESSOR = 'storage.wiredTiger.collectionConfig.blockCompressor';
const COMMIT = 'storage.journal.commitIntervalMs';

/**
 * auto: a quarter of (RAM - 1 GiB), at least 0.25 GB, rounded down to 0.05 GB. mongod's own default
 * is half of (RAM - 1 GiB); a dev machine runs four other servers beside it, so auto takes half that.
 */
export function autoCacheGB(totalBytes: number): number {
  const gib = totalBytes / 2 ** 30;
  return Math.max(0.25, Math.floor(((gib - 1) / 4) * 20) / 20);
}

export function mongoProfiles(totalBytes = os.totalmem()): Record<string, MongoProfile> {
  const gib = (totalBytes / 2 ** 30).toFixed(1);
  return {
    default: { name: 'default', summary: 'stock settings (mongod.conf YAML). Used only when the server is mongod.', settings: [] },
    dev: {
      name: 'dev',
      summary: 'a development server: small WiredTiger cache, zstd block compression, 100 ms journal commits.',
      settings: [
        { name: CACHE, value: '1', reason: 'cap the WiredTiger cache at 1 GB so mongod shares the machine (default: half of RAM - 1 GB)' },
        { name: COMPRESSOR, value: 'zstd', reason: 'zstd compresses collections better than the default snappy for a little more CPU' },
        { name: COMMIT, value: '100', reason: 'group journal writes every 100 ms (the default, pinned so the profile states it)', durability: 'writes without j:true acknowledged in the last 100 ms can be lost on a crash' },
      ],
    },
    auto: {
      name: 'auto',
      summary: 'WiredTiger cache sized from this machine\'s memory.',
      formula: `cacheSizeGB = max(0.25, floor((RAM GiB - 1) / 4, 0.05)) = ${autoCacheGB(totalBytes)} for RAM ${gib} GiB`,
      settings: [{ name: CACHE, value: String(autoCacheGB(totalBytes)), reason: 'a quarter of (RAM - 1 GiB): half of mongod\'s own default, leaving room for the other servers' }],
    },
  };
}

/** Render settings as nested mongod.conf YAML, each leaf preceded by its reason. */
export function renderProfile(p: MongoProfile): string {
  const lines = [`# mongod profile "${p.name}": ${p.summary}`];
  if (p.formula) lines.push(`# ${p.formula}`, '# tune renders this file again from the memory of the machine it runs on.');
  if (p.settings.length === 0) return `${lines.join('\n')}\n{}\n`;
  lines.push('# Rendered from packages/mongodb/src/profiles.ts.');
  const sorted = [...p.settings].sort((a, b) => a.name.localeCompare(b.name));
  let prev: string[] = [];
  for (const s of sorted) {
    const parts = s.name.split('.');
    let common = 0;
    while (common < parts.length - 1 && prev[common] === parts[common]) common++;
    for (let i = common; i < parts.length - 1; i++) lines.push(`${'  '.repeat(i)}${parts[i]}:`);
    const indent = '  '.repeat(parts.length - 1);
    lines.push(`${indent}# ${s.reason}`);
    if (s.durability) lines.push(`${indent}# DURABILITY: ${s.durability}`);
    lines.push(`${indent}${parts[parts.length - 1]}: ${s.value}`);
    prev = parts.slice(0, -1);
  }
  return `${lines.join('\n')}\n`;
}

/** Where mongod.conf profiles live (configs/mongodb/*.conf are the FerretDB backend's PostgreSQL profiles). */
export const mongodProfileDir = (root: string) => path.join(root, 'configs', 'mongodb', 'mongod');

export function availableProfiles(root: string): string[] {
  const dir = mongodProfileDir(root);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.conf')).map((f) => f.slice(0, -5)).sort() : [];
}

/** The named profile, refusing names that have no file in configs/mongodb/mongod/ (exit 2). */
export function profileOf(root: string, name: string, totalBytes?: number): MongoProfile {
  const names = availableProfiles(root);
  const p = mongoProfiles(totalBytes)[name];
  if (!names.includes(name) || !p) {
    throw new DevstackError('BAD_INPUT', `Unknown MongoDB profile "${name}".`, { fix: `Use one of: ${names.map((n) => `--profile ${n}`).join(', ')} (mongod.conf files in configs/mongodb/mongod/).` });
  }
  return p;
}

/** Numbers compare numerically (0.5 == 0.50), strings case-insensitively. */
export function settingMatches(s: ProfileSetting, effective: string | undefined): boolean {
  if (effective === undefined) return false;
  const a = Number(s.value);
  const b = Number(effective);
  if (Number.isFinite(a) && Number.isFinite(b)) return Math.abs(a - b) < 0.01;
  return s.value.toLowerCase() === effective.toLowerCase();
}
