import { kvBody, kvData, kvPath, loadConfig, type LoadedConfig } from '@devstack/core';
import { kvListPath } from '../src';
import responses from './fixtures/kv-responses.json';

const withKv = (kvVersion: 1 | 2): LoadedConfig => {
  const c = loadConfig();
  return { ...c, vault: { ...c.vault, kvMount: 'secret', kvVersion } } as LoadedConfig;
};

describe('KV v1 and v2 shapes (core kvPath/kvData, the suite LIST path)', () => {
  test('v1 (Vault/OpenBao kv-v1): secret under data', () => {
    const c = withKv(1);
    expect(kvPath(c, 'postgres')).toBe('secret/devstack/postgres');
    expect(kvListPath(c)).toBe('secret/devstack');
    expect(kvData(c, responses['kv1'])).toEqual({ username: 'devstack', password: 'fixture-pw' });
    expect(kvData(c, responses['vault-kv1'])).toEqual({ username: 'devstack', password: 'fixture-pw' });
    expect(kvBody(c, { a: 'b' })).toEqual({ a: 'b' });
  });

  test('v2 (Vault/OpenBao kv-v2): secret under data.data, metadata ignored, LIST on metadata/', () => {
    const c = withKv(2);
    expect(kvPath(c, 'postgres')).toBe('secret/data/devstack/postgres');
    expect(kvListPath(c)).toBe('secret/metadata/devstack');
    expect(kvData(c, responses['vault-kv2'])).toEqual({ username: 'devstack', password: 'fixture-pw' });
    expect(kvBody(c, { a: 'b' })).toEqual({ data: { a: 'b' } });
  });

  test('a v1 response read as v2 yields no password (a misconfigured kvVersion is visible, not silent)', () => {
    expect(kvData(withKv(2), responses['kv1'])).toEqual({});
  });
});
