/**
 * Secrets are registered once and scrubbed from every string the tool prints, logs or writes.
 * Values are kept in a module-private set, so they never travel inside objects that get serialised.
 */
const secrets = new Set<string>();
const MIN_SECRET_LENGTH = 4;
export const REDACTED = '[REDACTED]';

/** Key names whose values are always treated as secret, whatever their content. */
const SECRET_KEY = /(pass(word)?|secret|token|private[_-]?key|unseal|root_token|client_token|secret_id|hmac)/i;

export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function forgetSecrets(): void {
  secrets.clear();
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !/^(has|num|.*_ttl|.*_uses|.*_count|.*_path|.*_file)$/i.test(key);
}

export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  // Connection strings: user:password@host
  out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]+:)([^@\s/]+)(@)/gi, `$1${REDACTED}$3`);
  return out;
}

/** Deep copy with secret-named keys replaced and registered secrets scrubbed from every string. */
export function redactValue<T>(value: T): T {
  return walk(value, undefined) as T;
}

function walk(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && isSecretKey(key) && (typeof value === 'string' || typeof value === 'number')) {
    return REDACTED;
  }
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, undefined));
  if (value && typeof value === 'object') {
    if (value instanceof Date) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = walk(v, k);
    return out;
  }
  return value;
}

/** Define a property that JSON.stringify, console.log and Object.keys do not show. */
export function hideSecret<T extends object>(target: T, key: string, value: string): T {
  registerSecret(value);
  Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: false });
  return target;
}
