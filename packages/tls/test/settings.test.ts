import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REDIS_TLS_PORT_SHIFT, serviceTls, clientTls, vaultListeners, type LoadedConfig, type TlsState } from '@devstack/core';
import { tlsTarget, redisTlsTargets } from '../src/targets';

// Pure file logic of core/local/tls-settings.ts and the package's targets, on a scratch state dir.
let root: string;
const config = () => ({ stateRoot: root, host: '127.0.0.1', ports: { vault: 18200, postgres: 15432, mysql: 13306, mongodb: 17017, redis: 17000, api: 18080 } }) as unknown as LoadedConfig;

function writeState(state: TlsState, services = ['vault', 'postgres', 'mysql', 'mongodb', 'redis', 'client']): void {
  mkdirSync(path.join(root, 'conf'), { recursive: true });
  writeFileSync(path.join(root, 'conf', 'tls.json'), JSON.stringify(state));
  for (const s of services) {
    mkdirSync(path.join(root, 'certs', s), { recursive: true });
    writeFileSync(path.join(root, 'certs', s, 'cert.pem'), `cert ${s}`);
    writeFileSync(path.join(root, 'certs', s, 'key.pem'), `key ${s}`);
  }
  writeFileSync(path.join(root, 'certs', 'ca.pem'), 'ca');
}

beforeEach(() => (root = mkdtempSync(path.join(os.tmpdir(), 'tls-settings-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

test('no tls.json: every service plaintext, no client TLS', () => {
  expect(serviceTls(config(), 'postgres')).toBeUndefined();
  expect(clientTls(config(), 'redis')).toBeUndefined();
});

test('tls.json without the certificate files: plaintext (a server never starts on missing files)', () => {
  mkdirSync(path.join(root, 'conf'), { recursive: true });
  writeFileSync(path.join(root, 'conf', 'tls.json'), JSON.stringify({ mode: 'dual', services: ['postgres'] }));
  expect(serviceTls(config(), 'postgres')).toBeUndefined();
});

test('dual: TLS files known, our clients stay plaintext', () => {
  writeState({ mode: 'dual', services: ['postgres', 'redis'] });
  expect(serviceTls(config(), 'postgres')).toMatchObject({ mode: 'dual', cert: path.join(root, 'certs', 'postgres', 'cert.pem') });
  expect(serviceTls(config(), 'mysql')).toBeUndefined();
  expect(clientTls(config(), 'postgres')).toBeUndefined();
});

test('required: clients get the CA and the client certificate', () => {
  writeState({ mode: 'required', services: ['redis'] });
  expect(clientTls(config(), 'redis')).toEqual({ ca: 'ca', servername: 'localhost', cert: 'cert client', key: 'key client' });
  expect(readFileSync(path.join(root, 'certs', 'ca.pem'), 'utf8')).toBe('ca');
});

test('targets: dual moves Redis to port + 10, FerretDB and Vault to port + 2; required keeps the ports', () => {
  expect(tlsTarget(config(), 'redis', 'dual')).toMatchObject({ port: 17000 + REDIS_TLS_PORT_SHIFT, starttls: 'none' });
  expect(redisTlsTargets(config(), 'dual').map((t) => t.port)).toEqual([17010, 17011, 17012, 17013, 17014, 17015]);
  expect(tlsTarget(config(), 'mongodb', 'dual')).toMatchObject({ port: 17019 });
  expect(tlsTarget(config(), 'mongodb', 'required')).toMatchObject({ port: 17017 });
  expect(tlsTarget(config(), 'postgres', 'dual')).toMatchObject({ port: 15432, starttls: 'postgres' });
  expect(tlsTarget(config(), 'mysql', 'required')).toMatchObject({ port: 13306, starttls: 'mysql' });
  expect(tlsTarget(config(), 'vault', 'dual')).toMatchObject({ port: 18202 });
  expect(tlsTarget(config(), 'vault', 'required')).toMatchObject({ port: 18200 });
});

test('vault listeners: plaintext only without TLS; dual = plaintext + HTTPS, each with its own cluster address; required = HTTPS only', () => {
  expect(vaultListeners(config())).toEqual([{ port: 18200, clusterPort: 18201 }]);
  writeState({ mode: 'dual', services: ['vault'] });
  const dual = vaultListeners(config());
  expect(dual.map((l) => [l.port, l.clusterPort, !!l.tls])).toEqual([
    [18200, 18201, false],
    [18202, 18203, true],
  ]);
  expect(dual[1].tls).toContain(`  tls_client_ca_file = "${path.join(root, 'certs', 'ca.pem')}"`);
  writeState({ mode: 'required', services: ['vault'] });
  expect(vaultListeners(config()).map((l) => [l.port, l.clusterPort, !!l.tls])).toEqual([[18200, 18201, true]]);
});
