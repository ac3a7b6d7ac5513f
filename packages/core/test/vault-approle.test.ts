import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { approleDir, bootstrapAppRoles, CONSUMED_SECRETS, grantName, policyFor, readAppRole, readablePaths, writeAppRole } from '../src/approle';
import { loadConfig, type LoadedConfig } from '../src/config';
import { forgetTokens, getCredentials } from '../src/credentials';
import { redact } from '../src/redact';
import { kvBody, kvData, kvPath, operatorClient, readVaultInit, vaultFailure, vaultHealth, writeVaultInit, type VaultClient } from '../src/vault';

function tmpConfig(env: NodeJS.ProcessEnv = {}): LoadedConfig {
  const root = mkdtempSync(path.join(os.tmpdir(), 'devstack-vault-'));
  return loadConfig({ root, env });
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('KV paths and bodies', () => {
  it('puts v2 secrets under <mount>/data/ and v1 directly under the mount', () => {
    const v2 = tmpConfig();
    const v1 = tmpConfig({ DEVSTACK_VAULT_KV_VERSION: '1', DEVSTACK_VAULT_KV_MOUNT: 'kv/' });
    expect(kvPath(v2, 'postgres')).toBe('secret/data/devstack/postgres');
    expect(kvPath(v1, 'postgres')).toBe('kv/devstack/postgres');
    expect(kvBody(v2, { password: 'x' })).toEqual({ data: { password: 'x' } });
    expect(kvBody(v1, { password: 'x' })).toEqual({ password: 'x' });
  });

  it('unwraps a read for each version and keeps only string fields', () => {
    const v2 = tmpConfig();
    const v1 = tmpConfig({ DEVSTACK_VAULT_KV_VERSION: '1' });
    expect(kvData(v2, { data: { data: { username: 'u', password: 'p', n: 3 }, metadata: { version: 1 } } })).toEqual({ username: 'u', password: 'p' });
    expect(kvData(v1, { data: { username: 'u', password: 'p' } })).toEqual({ username: 'u', password: 'p' });
    expect(kvData(v2, { data: {} })).toEqual({});
    expect(kvData(v2, undefined as unknown as { data?: Record<string, unknown> })).toEqual({});
  });
});

describe('vaultFailure', () => {
  it('reads the status and the errors list, or the single error, of an HTTP failure', () => {
    expect(vaultFailure({ response: { statusCode: 403, body: { errors: ['permission denied'] } } })).toEqual({ status: 403, errors: ['permission denied'] });
    expect(vaultFailure({ response: { statusCode: 400, body: { error: 'invalid secret id' } } })).toEqual({ status: 400, errors: ['invalid secret id'] });
    expect(vaultFailure({ response: { statusCode: 503 } })).toEqual({ status: 503, errors: [] });
  });

  it('is undefined for an error without an HTTP status (a refused connection)', () => {
    expect(vaultFailure(new Error('connect ECONNREFUSED'))).toBeUndefined();
    expect(vaultFailure(undefined)).toBeUndefined();
  });
});

describe('vault init file and operator client', () => {
  it('writes init.json with mode 0600 in a 0700 directory, reads it back and redacts the root token', () => {
    const config = tmpConfig();
    expect(readVaultInit(config)).toBeUndefined();
    writeVaultInit(config, { keys: ['unseal-key-abc123'], root_token: 's.roottoken-xyz789' });
    const file = path.join(config.stateRoot, 'vault', 'init.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readVaultInit(config)).toEqual({ keys: ['unseal-key-abc123'], root_token: 's.roottoken-xyz789' });
    expect(redact('token s.roottoken-xyz789 key unseal-key-abc123')).not.toMatch(/roottoken-xyz789|unseal-key-abc123/);
  });

  it('refuses with ENVIRONMENT when neither init.json nor VAULT_TOKEN gives an operator token', () => {
    const saved = process.env.VAULT_TOKEN;
    delete process.env.VAULT_TOKEN;
    try {
      expect(() => operatorClient(tmpConfig())).toThrow(expect.objectContaining({ code: 'ENVIRONMENT', message: 'No Vault operator token: .devstack/vault/init.json is missing and VAULT_TOKEN is not set.' }));
    } finally {
      if (saved !== undefined) process.env.VAULT_TOKEN = saved;
    }
  });

  it('reports an unreachable Vault without an HTTP status', async () => {
    const port = await closedPort();
    const health = await vaultHealth(tmpConfig({ DEVSTACK_VAULT_PORT: String(port) }));
    expect(health.reachable).toBe(false);
    expect(health.detail).toMatch(/ECONNREFUSED/);
  });
});

describe('AppRole files and policies', () => {
  it('names a grant by the reading role, and a service reads its own secret plus the grants under it', () => {
    const config = tmpConfig();
    expect(grantName('postgres', 'postgres')).toBe('postgres');
    expect(grantName('api', 'postgres')).toBe('api/postgres');
    expect(CONSUMED_SECRETS.postgres).toEqual([]);
    expect(CONSUMED_SECRETS.api.length).toBeGreaterThan(0);
    expect(readablePaths(config, 'api')).toEqual(['secret/data/devstack/api', ...CONSUMED_SECRETS.api.map((s) => `secret/data/devstack/api/${s}`)]);
  });

  it('grants read, and only read, on exactly the readable paths', () => {
    const config = tmpConfig();
    const policy = policyFor(config, 'postgres');
    expect(policy).toBe('path "secret/data/devstack/postgres" {\n  capabilities = ["read"]\n}\n');
    expect(policyFor(config, 'api').match(/capabilities = \["read"\]/g)).toHaveLength(readablePaths(config, 'api').length);
  });

  it('stores role_id and secret_id with mode 0600 and reads them back; a missing file means no AppRole', () => {
    const config = tmpConfig();
    expect(readAppRole(config, 'redis')).toBeUndefined();
    writeAppRole(config, 'redis', { roleId: 'role-1', secretId: 'secret-id-redis-42' });
    const dir = approleDir(config, 'redis');
    expect(statSync(path.join(dir, 'secret_id')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readFileSync(path.join(dir, 'role_id'), 'utf8')).toBe('role-1\n');
    expect(readAppRole(config, 'redis')).toEqual({ roleId: 'role-1', secretId: 'secret-id-redis-42' });
    expect(redact('secret-id-redis-42')).not.toContain('secret-id-redis-42');
  });
});

/** An operator client that records calls and answers like a Vault API (only what bootstrap uses). */
function recordingOperator(opts: { approleMounted: boolean; policyStatus?: number; lookupOk?: boolean }) {
  const calls: string[] = [];
  let issued = 0;
  const fail = (status: number) => Object.assign(new Error(`HTTP ${status}`), { response: { statusCode: status, body: { errors: [] } } });
  const client = {
    auths: async () => ({ data: opts.approleMounted ? { 'approle/': {}, 'token/': {} } : { 'token/': {} } }),
    enableAuth: async (b: { mount_point: string }) => void calls.push(`enableAuth ${b.mount_point}`),
    read: async (p: string) => {
      calls.push(`read ${p}`);
      return { data: { role_id: `rid-${p.split('/')[3]}` } };
    },
    write: async (p: string, body: Record<string, unknown>) => {
      calls.push(`write ${p}`);
      if (p.startsWith('sys/policies/acl/') && opts.policyStatus) throw fail(opts.policyStatus);
      if (p.endsWith('/secret-id/lookup')) return opts.lookupOk ? { data: { secret_id_accessor: 'a' } } : {};
      if (p.endsWith('/secret-id')) return { data: { secret_id: `sid-${++issued}` } };
      if (p.startsWith('auth/approle/role/')) expect(body).toMatchObject({ token_policies: [`devstack-${p.split('/')[3]}`], token_ttl: '1h' });
      return {};
    },
  };
  return { client: client as unknown as VaultClient, calls };
}

describe('bootstrapAppRoles', () => {
  it('enables approle, writes a policy and role per service, and issues a secret_id where none is stored', async () => {
    const config = tmpConfig();
    const { client, calls } = recordingOperator({ approleMounted: false });
    const report = await bootstrapAppRoles(config, client, { services: ['postgres', 'redis'] });
    expect(report).toEqual({ roles: ['postgres', 'redis'], policiesSupported: true, warnings: [] });
    expect(calls[0]).toBe('enableAuth approle');
    expect(calls).toContain('write sys/policies/acl/devstack-postgres');
    expect(calls).toContain('write auth/approle/role/redis/secret-id');
    expect(readAppRole(config, 'postgres')).toEqual({ roleId: 'rid-postgres', secretId: 'sid-1' });
    expect(readAppRole(config, 'redis')).toEqual({ roleId: 'rid-redis', secretId: 'sid-2' });
  });

  it('keeps a stored secret_id that still looks up, and issues a new one when the lookup fails', async () => {
    const config = tmpConfig();
    writeAppRole(config, 'postgres', { roleId: 'rid-postgres', secretId: 'old-sid' });
    const keep = recordingOperator({ approleMounted: true, lookupOk: true });
    await bootstrapAppRoles(config, keep.client, { services: ['postgres'] });
    expect(keep.calls).not.toContain('enableAuth approle');
    expect(keep.calls).not.toContain('write auth/approle/role/postgres/secret-id');
    expect(readAppRole(config, 'postgres')!.secretId).toBe('old-sid');

    const renew = recordingOperator({ approleMounted: true, lookupOk: false });
    await bootstrapAppRoles(config, renew.client, { services: ['postgres'] });
    expect(renew.calls).toContain('write auth/approle/role/postgres/secret-id');
    expect(readAppRole(config, 'postgres')!.secretId).toBe('sid-1');
  });

  it('warns that roles are not least-privilege when the server has no ACL policy API (404)', async () => {
    const { client } = recordingOperator({ approleMounted: true, policyStatus: 404 });
    const report = await bootstrapAppRoles(tmpConfig(), client, { services: ['mysql'] });
    expect(report.policiesSupported).toBe(false);
    expect(report.warnings[0]).toMatch(/^This Vault server has no ACL policy API/);
  });

  it('passes any other policy failure on (403 is not "unsupported")', async () => {
    const { client } = recordingOperator({ approleMounted: true, policyStatus: 403 });
    await expect(bootstrapAppRoles(tmpConfig(), client, { services: ['mysql'] })).rejects.toMatchObject({ response: { statusCode: 403 } });
  });
});

/**
 * A loopback HTTP endpoint speaking the two Vault routes the credential source calls, to exercise the
 * client side (token cache, KV unwrapping, fallback, no retry on refusals). Live suites use the real server.
 */
async function vaultEndpoint(handler: (req: http.IncomingMessage, body: string) => [number, unknown]) {
  const seen: string[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      const [status, json] = handler(req, body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as AddressInfo).port, seen, close: () => new Promise((r) => srv.close(r)) };
}

describe('getCredentials', () => {
  afterEach(() => forgetTokens());

  it('falls back to the configured password, with a warning naming why, when no AppRole files exist', async () => {
    const config = tmpConfig({ DEVSTACK_POSTGRES_PASSWORD: 'from-env-pw' });
    const warnings: string[] = [];
    const creds = await getCredentials(config, 'postgres', { onWarning: (m) => warnings.push(m) });
    expect(creds.password).toBe('from-env-pw');
    expect(creds.source).toBe('config');
    expect(JSON.stringify(creds)).not.toContain('from-env-pw');
    expect(warnings).toEqual(['postgres: using configured credentials (DEVSTACK_POSTGRES_PASSWORD or devstack.config.json) because no AppRole files under .devstack/approles/postgres/.']);
  });

  it('refuses with SERVICE_DOWN and the fix when there is neither Vault nor a fallback', async () => {
    await expect(getCredentials(tmpConfig(), 'mysql')).rejects.toMatchObject({
      code: 'SERVICE_DOWN',
      message: 'No credentials for mysql: no AppRole files under .devstack/approles/mysql/, and no fallback is configured.',
    });
  });

  it('retries an unreachable Vault, then falls back and says Vault was unreachable', async () => {
    const port = await closedPort();
    const config = tmpConfig({ DEVSTACK_VAULT_PORT: String(port), DEVSTACK_REDIS_PASSWORD: 'redis-fallback' });
    writeAppRole(config, 'redis', { roleId: 'r', secretId: 's-unreach' });
    const warnings: string[] = [];
    const creds = await getCredentials(config, 'redis', { onWarning: (m) => warnings.push(m) });
    expect(creds.source).toBe('config');
    expect(warnings[0]).toMatch(/because Vault unreachable \(.*ECONNREFUSED.*\)\.$/);
  });

  it('logs in with the AppRole, reads the KV secret, and reuses the cached token on the next call', async () => {
    const v = await vaultEndpoint((req) => {
      if (req.url === '/v1/auth/approle/login') return [200, { auth: { client_token: 'tok-cached-1', lease_duration: 3600, renewable: false } }];
      if (req.url === '/v1/secret/data/devstack/postgres') return [200, { data: { data: { username: 'dbuser', password: 'vault-pw-1' } } }];
      return [404, { errors: [] }];
    });
    try {
      const config = tmpConfig({ DEVSTACK_VAULT_PORT: String(v.port) });
      writeAppRole(config, 'postgres', { roleId: 'r', secretId: 's-login' });
      const a = await getCredentials(config, 'postgres');
      const b = await getCredentials(config, 'postgres');
      expect(a).toMatchObject({ user: 'dbuser', source: 'vault-approle' });
      expect(a.password).toBe('vault-pw-1');
      expect(b.password).toBe('vault-pw-1');
      expect(v.seen.filter((s) => s === 'POST /v1/auth/approle/login')).toHaveLength(1);
      expect(v.seen.filter((s) => s === 'GET /v1/secret/data/devstack/postgres')).toHaveLength(2);
      expect(redact('tok-cached-1')).not.toContain('tok-cached-1');
    } finally {
      await v.close();
    }
  });

  it('does not retry an HTTP refusal and names the status and message in the fallback warning', async () => {
    const v = await vaultEndpoint(() => [400, { errors: ['invalid role or secret ID'] }]);
    try {
      const config = tmpConfig({ DEVSTACK_VAULT_PORT: String(v.port), DEVSTACK_MYSQL_PASSWORD: 'my-fallback' });
      writeAppRole(config, 'mysql', { roleId: 'r', secretId: 's-refused' });
      const warnings: string[] = [];
      await getCredentials(config, 'mysql', { onWarning: (m) => warnings.push(m) });
      expect(v.seen).toEqual(['POST /v1/auth/approle/login']);
      expect(warnings[0]).toMatch(/because Vault answered HTTP 400: invalid role or secret ID\.$/);
    } finally {
      await v.close();
    }
  });

  it('says so when Vault has no password at the service path', async () => {
    const v = await vaultEndpoint((req) => (req.url === '/v1/auth/approle/login' ? [200, { auth: { client_token: 'tok-2', lease_duration: 60, renewable: false } }] : [200, { data: { data: { username: 'x' } } }]));
    try {
      const config = tmpConfig({ DEVSTACK_VAULT_PORT: String(v.port) });
      writeAppRole(config, 'mongodb', { roleId: 'r', secretId: 's-nopw' });
      await expect(getCredentials(config, 'mongodb')).rejects.toMatchObject({ code: 'SERVICE_DOWN', message: expect.stringContaining('Vault has no password at secret/data/devstack/mongodb') });
    } finally {
      await v.close();
    }
  });
});

