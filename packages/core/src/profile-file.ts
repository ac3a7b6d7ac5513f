import { DevstackError } from './errors';
import type { ProfileSetting } from './tune';

/** The configuration syntax a profile file must be written in (what the server itself would accept). */
export interface ProfileSyntax {
  /** Named in errors: "postgresql.conf", "my.cnf". */
  name: string;
  /** `[section]` headers (my.cnf); PostgreSQL has none. */
  sections: boolean;
  /** Options without a value (my.cnf `skip-name-resolve`). */
  bareOptions?: boolean;
  /** Directive lines that are not settings: `!include x` (my.cnf), `include 'x'` (postgresql.conf). */
  directives?: RegExp;
}

export const POSTGRESQL_CONF: ProfileSyntax = { name: 'postgresql.conf', sections: false, directives: /^include(_if_exists|_dir)?\s*=?\s*'[^']*'$/ };
export const MY_CNF: ProfileSyntax = { name: 'my.cnf', sections: true, bareOptions: true, directives: /^!include(dir)?\s+\S/ };

/**
 * Profile files (configs/<service>/<profile>.*) are plain server config files. A setting may be
 * preceded by `# reason: ...` and `# durability: ...` comment lines; those annotate it in tune output.
 * With a `syntax`, any line that is not a comment, a `key = value` setting or (where the server has
 * them) a section or directive is refused with its line number: a wrong file never becomes settings.
 * The line's text is not echoed, since a wrong file may hold secrets.
 */
export function parseProfileFile(text: string, syntax?: ProfileSyntax): ProfileSetting[] {
  const out: ProfileSetting[] = [];
  let reason: string | undefined;
  let durability: string | undefined;
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (syntax) checkLine(line, index + 1, syntax);
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

function checkLine(line: string, n: number, syntax: ProfileSyntax): void {
  if (!line || line.startsWith('#') || (syntax.sections && line.startsWith(';'))) return;
  if (/^[A-Za-z0-9_.-]+\s*=/.test(line)) return;
  if (syntax.sections && /^\[[A-Za-z0-9_.-]+\]$/.test(line)) return;
  if (syntax.bareOptions && /^[A-Za-z0-9_.-]+$/.test(line)) return;
  if (syntax.directives?.test(line)) return;
  const expected = ['`key = value`', syntax.sections ? '`[section]`' : '', syntax.bareOptions ? 'a bare option name' : '', 'a # comment'].filter(Boolean).join(', ');
  throw new DevstackError('BAD_INPUT', `Line ${n} is not ${syntax.name} syntax (expected ${expected}).`, {
    fix: `Give a ${syntax.name} fragment; fix or remove line ${n}.`,
    details: { line: n },
  });
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
