import { hideSecret, redact, redactValue, REDACTED, registerSecret } from '../src/redact';

describe('redaction', () => {
  it('scrubs registered secrets from any string', () => {
    registerSecret('s3cr3t-Value-42');
    expect(redact('login failed for devstack with s3cr3t-Value-42 at 127.0.0.1')).toBe(`login failed for devstack with ${REDACTED} at 127.0.0.1`);
  });

  it('scrubs passwords from connection strings even when unregistered', () => {
    expect(redact('postgres://devstack:hunter2xyz@127.0.0.1:15432/db')).toBe(`postgres://devstack:${REDACTED}@127.0.0.1:15432/db`);
  });

  it('replaces values of secret-named keys in nested objects, keeping TTL and count fields', () => {
    const out = redactValue({ auth: { client_token: 'abc', lease_duration: 3600 }, secret_id_ttl: 60, data: [{ password: 'p4ss' }] });
    expect(out).toEqual({ auth: { client_token: REDACTED, lease_duration: 3600 }, secret_id_ttl: 60, data: [{ password: REDACTED }] });
  });

  it('hides a secret property from JSON, keys and inspection', () => {
    const creds = hideSecret({ user: 'devstack' } as { user: string; password?: string }, 'password', 'NeverShowMe99');
    expect(creds.password).toBe('NeverShowMe99');
    expect(JSON.stringify(creds)).toBe('{"user":"devstack"}');
    expect(Object.keys(creds)).toEqual(['user']);
    expect(require('node:util').inspect(creds)).not.toContain('NeverShowMe99');
    expect(redact('x NeverShowMe99 y')).toBe(`x ${REDACTED} y`);
  });
});
