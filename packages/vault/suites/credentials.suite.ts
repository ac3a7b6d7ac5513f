import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { forgetTokens, getCredentials, loadConfig, type CredentialService, type LoadedConfig } from '@devstack/core';
import { vaultRequest } from '../src';

/** Core's credential source seen from Vault: AppRole first, config fallback with a warning, else a clear error. */
const config = loadConfig();
const SERVICES: CredentialService[] = ['postgres', 'mysql', 'mongodb', 'redis'];

afterAll(() => forgetTokens());

describe('credential source (core getCredentials) against the live Vault', () => {
  test.each(SERVICES)('%s: credentials come from Vault via its own AppRole, password hidden from JSON', async (service) => {
    const creds = await getCredentials(config, service);
    expect(creds.source).toBe('vault-approle');
    expect(creds.user.length).toBeGreaterThan(0);
    expect(creds.password.length).toBeGreaterThan(7);
    expect(JSON.stringify(creds)).not.toContain(creds.password);
  });

  test('the api reads the database secrets with its own AppRole', async () => {
    const creds = await getCredentials(config, 'postgres', { role: 'api' });
    expect(creds.source).toBe('vault-approle');
  });

  describe('without AppRole files', () => {
    let empty: string;
    let noFiles: LoadedConfig;
    beforeAll(() => {
      empty = mkdtempSync(path.join(tmpdir(), 'devstack-noapprole-'));
      noFiles = { ...config, stateRoot: empty };
    });
    afterAll(() => rmSync(empty, { recursive: true, force: true }));

    test('falls back to configured credentials, with a warning naming the reason', async () => {
      const warnings: string[] = [];
      const fallback = { ...noFiles, credentials: { ...noFiles.credentials, redis: { password: 'configured-fallback' } } } as LoadedConfig;
      const creds = await getCredentials(fallback, 'redis', { onWarning: (m) => warnings.push(m) });
      expect([creds.source, creds.password]).toEqual(['config', 'configured-fallback']);
      expect(warnings).toEqual([expect.stringMatching(/redis: using configured credentials .* because no AppRole files under \.devstack\/approles\/redis\//)]);
    });

    test('fails with a clear message when there is no fallback either', async () => {
      const bare = { ...noFiles, credentials: {} } as LoadedConfig;
      await expect(getCredentials(bare, 'mysql')).rejects.toMatchObject({ code: 'SERVICE_DOWN', message: expect.stringMatching(/No credentials for mysql: no AppRole files/) });
    });
  });

  test('the AppRole files are the only way in: the stored secret_id logs in, a random one does not', async () => {
    const r = await vaultRequest(config, 'POST', 'auth/approle/login', { body: { role_id: 'not-a-role', secret_id: 'x' } });
    expect([r.status, r.errors]).toEqual([400, [expect.stringMatching(/invalid role_id|invalid role or secret id/i)]]);
  });
});
