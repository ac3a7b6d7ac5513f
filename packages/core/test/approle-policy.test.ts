import { APPROLE_SERVICES, CONSUMED_SECRETS, grantName, loadConfig, policyFor, readablePaths, type LoadedConfig } from '../src';

const config = (kvVersion: 1 | 2): LoadedConfig => {
  const c = loadConfig();
  return { ...c, vault: { ...c.vault, kvMount: 'secret', kvVersion } } as LoadedConfig;
};

describe('per-service ACL policies (least privilege)', () => {
  test('KV v2 is the default', () => {
    expect(loadConfig().vault.kvVersion).toBe(2);
  });

  test('a database service reads its own secret only, read capability only', () => {
    expect(policyFor(config(2), 'postgres')).toBe('path "secret/data/devstack/postgres" {\n  capabilities = ["read"]\n}\n');
    expect(policyFor(config(1), 'redis')).toBe('path "secret/devstack/redis" {\n  capabilities = ["read"]\n}\n');
  });

  test('the api reads its own secret and the grants under its own path, never another service\'s path', () => {
    expect(readablePaths(config(2), 'api')).toEqual([
      'secret/data/devstack/api',
      'secret/data/devstack/api/postgres',
      'secret/data/devstack/api/mysql',
      'secret/data/devstack/api/mongodb',
      'secret/data/devstack/api/redis',
    ]);
    expect(grantName('api', 'mysql')).toBe('api/mysql');
    expect(grantName('mysql', 'mysql')).toBe('mysql');
  });

  test('no policy names another service\'s own path (every ordered pair is denied)', () => {
    for (const a of APPROLE_SERVICES) {
      for (const b of APPROLE_SERVICES.filter((x) => x !== a)) {
        expect({ a, b, paths: readablePaths(config(2), a) }).not.toEqual({ a, b, paths: expect.arrayContaining([`secret/data/devstack/${b}`]) });
      }
      expect(policyFor(config(2), a)).not.toMatch(/"(create|update|delete|list|sudo)"|\*/);
    }
    expect(Object.keys(CONSUMED_SECRETS).sort()).toEqual([...APPROLE_SERVICES].sort());
  });
});
