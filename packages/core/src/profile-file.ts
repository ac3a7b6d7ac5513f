import type { ProfileSetting } from './tune';

/**
 * Profile files (configs/<service>/<profile>.*) are plain server config files. A setting may be
 * preceded by `# reason: ...` and `# durability: ...` comment lines; those annotate it in tune output.
 */
export function parseProfileFile(text: string): ProfileSetting[] {
  const out: ProfileSetting[] = [];
  let reason: string | undefined;
  let durability: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const note = /^[#;]\s*(reason|durability):\s*(.+)$/i.exec(line);
    if (note) {
      if (note[1].toLowerCase() === 'reason') reason = note[2].trim();
      else durability = note[2].trim();
      continue;
    }
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('[') || line.startsWith('!')) continue;
    const m = /^([A-Za-z0-9_.-]+)\s*=\s*(.*?)\s*(?:#.*)?$/.exec(line);
    if (!m) continue;
    const value = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
    out.push({ name: m[1], value, reason: reason ?? '(no reason given in the profile file)', ...(durability ? { durability } : {}) });
    reason = undefined;
    durability = undefined;
  }
  return out;
}

export interface RenderProfileInput {
  /** Comment lines at the top (without the leading "# "). */
  header: string[];
  /** INI section the settings belong to (MariaDB: "mysqld"). */
  section?: string;
  settings: ProfileSetting[];
  /** Quote string values (PostgreSQL wants quotes around values with units). */
  quote?: boolean;
}

export function renderProfileFile(input: RenderProfileInput): string {
  const lines = input.header.map((h) => `# ${h}`.trimEnd());
  if (input.section) lines.push(`[${input.section}]`);
  for (const s of input.settings) {
    lines.push('', `# reason: ${s.reason}`);
    if (s.durability) lines.push(`# durability: ${s.durability}`);
    const numeric = /^-?\d+(\.\d+)?$/.test(s.value);
    lines.push(`${s.name} = ${input.quote && !numeric ? `'${s.value}'` : s.value}`);
  }
  return `${lines.join('\n')}\n`;
}

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
};

/** "512MB", "512M", "8kB", "536870912" -> bytes; undefined when the value is not a size. */
export function parseSize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?b?)\s*$/i.exec(value);
  if (!m) return undefined;
  const unit = m[2].toLowerCase();
  const factor = unit === '' ? 1 : UNIT_BYTES[unit];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

const BOOL: Record<string, string> = { on: 'on', true: 'on', yes: 'on', off: 'off', false: 'off', no: 'off' };

/**
 * Does the effective value (from SHOW / SHOW VARIABLES) satisfy the requested one? Sizes compare
 * in bytes ("512MB" = "524288kB" = "536870912"), numbers numerically, switches as on/off.
 */
export function settingMatches(requested: string, effective: string | undefined): boolean {
  if (effective === undefined) return false;
  const a = parseSize(requested);
  const b = parseSize(effective);
  if (a !== undefined && b !== undefined) return Math.abs(a - b) < 1e-9 * Math.max(1, a);
  const norm = (v: string) => BOOL[v.trim().toLowerCase()] ?? v.trim().toLowerCase();
  return norm(requested) === norm(effective);
}

/** Human size for generated profiles: whole MB (PostgreSQL "MB", MariaDB "M"). */
export function formatMiB(bytes: number, suffix: 'MB' | 'M'): string {
  return `${Math.max(1, Math.floor(bytes / 1024 ** 2))}${suffix}`;
}
