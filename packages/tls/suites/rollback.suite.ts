import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { loadConfig, readTlsState, tlsStateFile, type LoadedConfig, type TlsState } from '@devstack/core';
import { providerFor } from '@devstack/runtime';
import { certFiles, haveCerts, issueAll } from '../src/certs';
import { applyTlsState } from '../src/enable';

/**
 * The apply contract under failure: PostgreSQL is given a key that does not match its certificate,
 * refuses to start, and enable must restore the previous tls.json and bring every service back.
 */
let config: LoadedConfig;
let before: TlsState | undefined;
let keyBackup: string;

beforeAll(async () => {
  config = loadConfig();
  if (!haveCerts(config)) await issueAll(config, () => undefined);
  before = readTlsState(config);
  const down = (await providerFor(config).status()).filter((st) => !st.healthy).map((st) => st.service);
  expect(down).toEqual([]);
  keyBackup = `${certFiles(config, 'postgres').key}.suite-backup`;
  // Start from plaintext, so the rollback target does not need the key this test breaks.
  if (before) expect(await applyTlsState(config, undefined, () => undefined)).toMatchObject({ state: 'applied' });
}, 120000);

afterAll(async () => {
  if (keyBackup && existsSync(keyBackup)) {
    copyFileSync(keyBackup, certFiles(config, 'postgres').key);
    rmSync(keyBackup, { force: true });
  }
  if (before) expect(await applyTlsState(config, before, () => undefined)).toMatchObject({ state: 'applied' });
}, 120000);

test('a server refusing the TLS settings is rolled back to the previous state, every service healthy again', async () => {
  const pgKey = certFiles(config, 'postgres').key;
  copyFileSync(pgKey, keyBackup);
  // mysql's key is a valid RSA key that does not belong to postgres's certificate.
  copyFileSync(certFiles(config, 'mysql').key, pgKey);
  const stateBefore = existsSync(tlsStateFile(config)) ? readFileSync(tlsStateFile(config), 'utf8') : undefined;
  const outcome = await applyTlsState(config, { mode: 'required', services: ['postgres'] }, () => undefined);
  copyFileSync(keyBackup, pgKey);
  expect(outcome.state).toBe('rolled-back');
  expect(outcome.reason).toMatch(/^postgres: /);
  // tls.json is what it was: absent (plaintext).
  expect(existsSync(tlsStateFile(config)) ? readFileSync(tlsStateFile(config), 'utf8') : undefined).toBe(stateBefore);
  expect(readTlsState(config)).toBeUndefined();
  const unhealthy = (await providerFor(config).status()).filter((st) => !st.healthy).map((st) => `${st.service}: ${st.detail}`);
  expect(unhealthy).toEqual([]);
});
