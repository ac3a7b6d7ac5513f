import { execFileSync } from 'node:child_process';
import { TLS_CIPHERS } from '@devstack/core';

/**
 * RC4, 3DES and EXPORT suites cannot be offered by this machine's OpenSSL 3 clients, so the live suite
 * cannot watch a server refuse them. What it can check is the list the OpenSSL-based servers
 * (PostgreSQL, MariaDB, Redis) are given: expanded by OpenSSL itself, nothing weak is left.
 */
describe('server cipher list', () => {
  const expanded = execFileSync('openssl', ['ciphers', '-v', `${TLS_CIPHERS}:@SECLEVEL=0`], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));

  test('expands to a non-empty list of AEAD/strong suites', () => {
    expect(expanded.length).toBeGreaterThan(5);
  });

  test.each([
    ['NULL encryption', (enc: string) => /Enc=None/.test(enc)],
    ['RC4', (enc: string) => /RC4/.test(enc)],
    ['3DES / DES', (enc: string) => /DES/.test(enc)],
    ['EXPORT', (enc: string) => /export/i.test(enc)],
  ])('contains no %s suite', (_name, bad) => {
    const offenders = expanded.filter((f) => bad(f.join(' '))).map((f) => f[0]);
    expect(offenders).toEqual([]);
  });

  test('contains no anonymous (aNULL) or MD5-MAC suite', () => {
    expect(expanded.filter((f) => f.includes('Au=None') || f.includes('Mac=MD5')).map((f) => f[0])).toEqual([]);
  });
});
