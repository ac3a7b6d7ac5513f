import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DevstackError, ProfileCatalog, type LoadedConfig, type ProfileSetting, type ResolvedProfile } from '@devstack/core';

/** Where the profile files live, how they parse, and the `--file` hint: core's shared catalog. */
const catalog = new ProfileCatalog({
  service: 'redis',
  ext: 'conf',
  serverName: 'Redis',
  fileHint: 'Give the path of a redis.conf fragment (one "directive value" per line).',
  parse: parseRedisProfile,
});

/**
 * A redis.conf fragment (`directive value` per line) into settings. As in every profile file, a
 * setting may be preceded by `# reason: ...` and `# durability: ...` lines that annotate it in tune output.
 */
export function parseRedisProfile(text: string): ProfileSetting[] {
  const out: ProfileSetting[] = [];
  let reason: string | undefined;
  let durability: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const note = /^#\s*(reason|durability):\s*(.+)$/i.exec(line);
    if (note) {
      if (note[1].toLowerCase() === 'reason') reason = note[2].trim();
      else durability = note[2].trim();
      continue;
    }
    if (!line || line.startsWith('#')) continue;
    const [name, ...value] = line.split(/\s+/);
    out.push({ name, value: value.join(' '), reason: reason ?? '(no reason given in the profile file)', ...(durability ? { durability } : {}) });
    reason = undefined;
    durability = undefined;
  }
  return out;
}

/** A profile as a redis.conf fragment: the header (without "# "), then each setting with its reason. */
export function renderRedisProfile(header: string[], settings: ProfileSetting[]): string {
  const lines = header.map((h) => `# ${h}`.trimEnd());
  for (const s of settings) {
    lines.push('', `# reason: ${s.reason}`);
    if (s.durability) lines.push(`# durability: ${s.durability}`);
    lines.push(`${s.name} ${s.value}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Profiles present as files in configs/redis/ (a user may add their own). Redis has no computed `auto`. */
export function availableProfiles(config: LoadedConfig): string[] {
  return catalog.available(config).filter((n) => n !== 'auto');
}

/**
 * A named profile (configs/redis/<name>.conf) or, with `file`, any redis.conf fragment; with `--set`
 * overrides, a rendered copy under .devstack/conf/redis/profiles/ is what gets applied.
 */
export function resolveProfile(config: LoadedConfig, name: string | undefined, file?: string, overrides: string[] = []): ResolvedProfile {
  const names = availableProfiles(config);
  if (!file && !names.includes(name ?? 'default')) {
    throw new DevstackError('BAD_INPUT', `Unknown Redis profile "${name}".`, { fix: `Use one of: ${names.map((n) => `--profile ${n}`).join(', ')} (files in configs/redis/), or --file <path>.` });
  }
  const profile = catalog.resolve(config, name, file, () => {
    throw new DevstackError('BAD_INPUT', 'Redis has no computed "auto" profile.');
  });
  if (!overrides.length) return profile;
  const settings = withOverrides(profile.settings, overrides);
  const out = path.join(config.stateRoot, 'conf', 'redis', 'profiles', `${profile.name}+overrides.conf`);
  mkdirSync(path.dirname(out), { recursive: true });
  // The first line keeps the profile's name: the bench reads it to label its results.
  const header = [`Redis profile "${profile.name}": ${path.relative(config.root, profile.file)} with --set ${overrides.join(',')}.`];
  writeFileSync(out, renderRedisProfile(header, settings));
  return { name: profile.name, file: out, settings };
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
