import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DevstackError, type ProfileSetting } from '@devstack/core';

export interface RedisProfile {
  name: string;
  summary: string;
  settings: ProfileSetting[];
}

/** The profiles shipped in configs/redis/, as data; render() writes the files (a unit test keeps them equal). */
export const REDIS_PROFILES: Record<string, RedisProfile> = {
  default: { name: 'default', summary: 'stock settings (Redis 7 built-in defaults) for every cluster node.', settings: [] },
  dev: {
    name: 'dev',
    summary: 'a cache for development: bounded memory, LRU eviction, no persistence.',
    settings: [
      { name: 'maxmemory', value: '512mb', reason: 'bound each node so six nodes fit a laptop; without it Redis grows until the OOM killer' },
      { name: 'maxmemory-policy', value: 'allkeys-lru', reason: 'evict the least recently used key instead of refusing writes at the limit' },
      { name: 'tcp-backlog', value: '511', reason: 'accept bursts of connections (benchmarks, api pools); Linux caps it at net.core.somaxconn' },
      { name: 'save', value: '""', reason: 'no RDB snapshots: no fork pauses while benchmarking', durability: 'a restarted node has no data of its own (its replica or master still has it)' },
      { name: 'appendonly', value: 'no', reason: 'no append-only file: no fsync cost per write', durability: 'writes acknowledged but not on disk are lost if every copy of a slot dies' },
    ],
  },
  durable: {
    name: 'durable',
    summary: 'persistence on: every write goes to the append-only file, fsync once a second.',
    settings: [
      { name: 'appendonly', value: 'yes', reason: 'log every write so a node restarts with its data, not only what a replica resends' },
      { name: 'appendfsync', value: 'everysec', reason: 'fsync once a second: at most about one second of writes lost on a crash, near-no-persistence throughput' },
    ],
  },
};

export function renderProfile(p: RedisProfile): string {
  const lines = [`# Redis profile "${p.name}": ${p.summary}`];
  if (p.settings.length) lines.push('# Rendered from packages/redis/src/profiles.ts; each cluster node includes this file first.');
  for (const s of p.settings) {
    lines.push('', `# ${s.reason}`);
    if (s.durability) lines.push(`# DURABILITY: ${s.durability}`);
    lines.push(`${s.name} ${s.value}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Profiles present as files in configs/redis/ (a user may add their own). */
export function availableProfiles(root: string): string[] {
  const dir = path.join(root, 'configs', 'redis');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.conf')).map((f) => f.slice(0, -5)).sort() : [];
}

/** Settings of a profile: from the data above, or parsed from a user's own file in configs/redis/. */
export function profileSettings(root: string, name: string): ProfileSetting[] {
  const names = availableProfiles(root);
  if (!names.includes(name)) {
    throw new DevstackError('BAD_INPUT', `Unknown Redis profile "${name}".`, { fix: `Use one of: ${names.map((n) => `--profile ${n}`).join(', ')} (files in configs/redis/).` });
  }
  if (REDIS_PROFILES[name]) return REDIS_PROFILES[name].settings.map((s) => ({ ...s }));
  return readFileSync(path.join(root, 'configs', 'redis', `${name}.conf`), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [k, ...v] = l.split(/\s+/);
      return { name: k, value: v.join(' '), reason: `from configs/redis/${name}.conf` };
    });
}

/** `--set name=value` overrides on top of a profile (to try a value, or to prove a refusal is rolled back). */
export function withOverrides(settings: ProfileSetting[], overrides: string[] = []): ProfileSetting[] {
  const out = settings.map((s) => ({ ...s }));
  for (const o of overrides) {
    const m = /^([a-z][a-z0-9-]*)=(.*)$/.exec(o);
    if (!m) throw new DevstackError('BAD_INPUT', `Bad --set "${o}".`, { fix: 'Use --set name=value, e.g. --set maxmemory=256mb' });
    const existing = out.find((s) => s.name === m[1]);
    if (existing) Object.assign(existing, { value: m[2], reason: 'override (--set)' });
    else out.push({ name: m[1], value: m[2], reason: 'override (--set)' });
  }
  return out;
}

/** Redis memory units: k/m/g are powers of 1000, kb/mb/gb powers of 1024; a bare number is bytes. */
export function parseMemory(value: string): number {
  const m = /^(\d+)\s*(k|kb|m|mb|g|gb)?$/i.exec(value.trim());
  if (!m) throw new DevstackError('BAD_INPUT', `"${value}" is not a Redis memory size.`, { fix: 'Use e.g. 512mb, 1gb or a number of bytes.' });
  const unit = (m[2] ?? '').toLowerCase();
  const mult: Record<string, number> = { '': 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Number(m[1]) * mult[unit];
}

/** MemAvailable from /proc/meminfo (what can be allocated without swapping), else os.freemem(). */
export function availableMemory(): number {
  try {
    const kb = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    /* not Linux */
  }
  return os.freemem();
}

/** Refuse a maxmemory that `nodes` nodes could not all reach without running the machine out of memory. */
export function checkMaxmemory(settings: ProfileSetting[], nodes: number, available: number): string | undefined {
  const s = settings.find((x) => x.name === 'maxmemory');
  if (!s) return undefined;
  const per = parseMemory(s.value);
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
  if (per * nodes > available) {
    throw new DevstackError('BAD_INPUT', `maxmemory ${s.value} x ${nodes} nodes = ${gib(per * nodes)}, but only ${gib(available)} of memory is available.`, {
      fix: `Use a maxmemory of at most ${Math.floor(available / nodes / 2 ** 20)}mb (e.g. --set maxmemory=${Math.floor(available / nodes / 2 ** 20 / 2)}mb), or free memory.`,
    });
  }
  return `maxmemory ${s.value} x ${nodes} nodes = ${gib(per * nodes)} of ${gib(available)} available`;
}

/** Does CONFIG GET's answer satisfy the requested value? (memory in bytes, save "" as empty) */
export function settingMatches(s: ProfileSetting, effective: string | undefined): boolean {
  if (effective === undefined) return false;
  const want = s.value.replace(/^"(.*)"$/, '$1');
  if (s.name === 'maxmemory') {
    try {
      return parseMemory(want) === Number(effective);
    } catch {
      return false;
    }
  }
  return want.toLowerCase() === effective.toLowerCase();
}
