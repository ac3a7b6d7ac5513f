import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoadedConfig } from '../src/config';
import { clientTls, ferretTlsArgs, mariadbTlsLines, postgresTlsArgs, readTlsState, redisTlsLines, serviceTls, tlsStateFile, vaultListeners, type TlsState } from '../src/tls-settings';

function stateWith(state: TlsState | string | undefined, withClient = true): LoadedConfig {
  const stateRoot = path.join(mkdtempSync(path.join(os.tmpdir(), 'core-tls-')), '.devstack');
  for (const s of ['postgres', 'mysql', 'redis', 'mongodb', 'vault', ...(withClient ? ['client'] : [])]) {
    mkdirSync(path.join(stateRoot, 'certs', s), { recursive: true });
    writeFileSync(path.join(stateRoot, 'certs', s, 'cert.pem'), `${s} cert`);
    writeFileSync(path.join(stateRoot, 'certs', s, 'key.pem'), `${s} key`);
  }
  writeFileSync(path.join(stateRoot, 'certs', 'ca.pem'), 'ca');
  mkdirSync(path.join(stateRoot, 'conf'), { recursive: true });
  if (state !== undefined) writeFileSync(tlsStateFile({ stateRoot }), typeof state === 'string' ? state : JSON.stringify(state));
  return { stateRoot, ports: { vault: 18200 } } as LoadedConfig;
}

const all = ['vault', 'postgres', 'mysql', 'mongodb', 'redis'] as const;

describe('TLS settings per server, from .devstack/conf/tls.json and the certificates', () => {
  it('is plaintext without a state file, with a garbled one, or for a service not listed', () => {
    expect(readTlsState(stateWith(undefined))).toBeUndefined();
    expect(readTlsState(stateWith('{oops'))).toBeUndefined();
    expect(readTlsState(stateWith({ mode: 'off' as never, services: [] }))).toBeUndefined();
    const c = stateWith({ mode: 'dual', services: ['redis'] });
    expect(serviceTls(c, 'postgres')).toBeUndefined();
    expect(postgresTlsArgs(c, '/none', '/none')).toEqual([]);
    expect(mariadbTlsLines(c)).toEqual([]);
    expect(ferretTlsArgs(c, '127.0.0.1', 17017)).toEqual({ plaintext: true, args: [] });
    expect(vaultListeners(c)).toEqual([{ port: 18200, clusterPort: 18201 }]);
  });

  it('dual mode: TLS beside plaintext, no client options (plaintext still works)', () => {
    const c = stateWith({ mode: 'dual', services: [...all] });
    expect(serviceTls(c, 'mysql')).toMatchObject({ mode: 'dual', cert: path.join(c.stateRoot, 'certs', 'mysql', 'cert.pem') });
    expect(clientTls(c, 'postgres')).toBeUndefined();
    expect(redisTlsLines(c, 17000)).toContain('tls-port 17010');
    expect(ferretTlsArgs(c, '127.0.0.1', 17017)).toMatchObject({ plaintext: true, args: expect.arrayContaining(['--listen-tls=127.0.0.1:17019']) });
    expect(mariadbTlsLines(c)).not.toContain('require_secure_transport = ON');
    // Vault: the plain listener stays, HTTPS beside it on port + 2, each with its own cluster address.
    expect(vaultListeners(c).map((l) => [l.port, l.clusterPort, Boolean(l.tls)])).toEqual([[18200, 18201, false], [18202, 18203, true]]);
  });

  it('required mode: plaintext refused everywhere, hostssl pg_hba with the cert-only account first', () => {
    const c = stateWith({ mode: 'required', services: [...all], certUser: 'devstack_tls' });
    const data = path.join(c.stateRoot, 'data');
    mkdirSync(data);
    writeFileSync(path.join(data, 'pg_hba.conf'), '# comment\nlocal all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n');
    const args = postgresTlsArgs(c, data, path.join(c.stateRoot, 'conf'));
    expect(args).toContain('ssl=on');
    const hba = readFileSync(path.join(c.stateRoot, 'conf', 'pg_hba.tls.conf'), 'utf8').split('\n');
    expect(hba[1]).toBe('hostssl all devstack_tls 127.0.0.1/32 cert');
    expect(hba).toContain('hostssl all all 127.0.0.1/32 scram-sha-256');
    expect(mariadbTlsLines(c)).toContain('require_secure_transport = ON');
    expect(redisTlsLines(c, 17000)).toEqual(expect.arrayContaining(['port 0', 'tls-port 17000', 'tls-cluster yes']));
    expect(ferretTlsArgs(c, '127.0.0.1', 17017).plaintext).toBe(false);
    // required: one HTTPS listener on the API port, client certificates checked against the devstack CA.
    const [only, ...more] = vaultListeners(c);
    expect(more).toEqual([]);
    expect(only.port).toBe(c.ports.vault);
    expect(only.tls).toEqual(expect.arrayContaining(['  tls_min_version = "tls12"', expect.stringMatching(/^ {2}tls_client_ca_file = /)]));
    expect(clientTls(c, 'redis')).toEqual({ ca: 'ca', servername: 'localhost', cert: 'client cert', key: 'client key' });
    expect(clientTls(stateWith({ mode: 'required', services: ['redis'] }, false), 'redis')).toEqual({ ca: 'ca', servername: 'localhost' });
  });
});
