import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LoadedConfig } from './config';
import { SERVICE_REGISTRY, type StackService } from './registry';
import { stateDir } from './state-dirs';

/**
 * TLS of the embedded servers, written by the tls package (`nx run tls:enable`) and read by each
 * server's start. Nothing here is active unless .devstack/conf/tls.json exists and the service's
 * certificate files are under .devstack/certs/<service>/: without them every server starts plaintext.
 *
 * dual:     plaintext served as before, TLS beside it (same port for PostgreSQL and MariaDB, which
 *           negotiate TLS in-protocol; tls-port = port + 10 for Redis; port + 2 for FerretDB).
 * required: plaintext refused; TLS on the service's own port. Vault: dual = plaintext on its port and
 *           HTTPS on port + 2 (two listeners); required = HTTPS on its port only.
 */
export type TlsMode = 'dual' | 'required';

export interface TlsState {
  mode: TlsMode;
  /** Services that serve TLS. */
  services: StackService[];
  /** PostgreSQL / MariaDB account that may log in only with a client certificate (CN = user). */
  certUser?: string;
}

export interface ServiceTls {
  mode: TlsMode;
  cert: string;
  key: string;
  /** The devstack CA chain (root; the intermediate too when one exists). */
  ca: string;
}

/** Redis TLS ports in dual mode: node port + 10 (17010-17015 by default; cluster bus stays port + 10000). */
export const REDIS_TLS_PORT_SHIFT = SERVICE_REGISTRY.redis.tlsPortShift;
/** FerretDB TLS listener in dual mode: mongodb port + 2 (port + 1 is its debug/metrics HTTP). */
export const MONGO_TLS_PORT_SHIFT = SERVICE_REGISTRY.mongodb.tlsPortShift;
/** Ciphers for servers that take an OpenSSL cipher list: no NULL, EXPORT, RC4, 3DES, anonymous, MD5. */
export const TLS_CIPHERS = 'HIGH:!aNULL:!eNULL:!EXPORT:!RC4:!3DES:!MD5:!PSK:!SRP';

// The real directory (not the .devstack/certs symlink): servers running as the service account open these paths.
export const certsRoot = (config: Pick<LoadedConfig, 'stateRoot'>) => stateDir(config.stateRoot, 'certs');
export const tlsStateFile = (config: Pick<LoadedConfig, 'stateRoot'>) => path.join(config.stateRoot, 'conf', 'tls.json');

export function readTlsState(config: Pick<LoadedConfig, 'stateRoot'>): TlsState | undefined {
  const file = tlsStateFile(config);
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as TlsState;
    return s.mode === 'dual' || s.mode === 'required' ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The TLS files and mode of one service, or undefined when it serves plaintext only. */
export function serviceTls(config: Pick<LoadedConfig, 'stateRoot'>, service: StackService): ServiceTls | undefined {
  const state = readTlsState(config);
  if (!state || !state.services.includes(service)) return undefined;
  const dir = path.join(certsRoot(config), service);
  const files = { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), ca: path.join(certsRoot(config), 'ca.pem') };
  if (!Object.values(files).every(existsSync)) return undefined;
  return { mode: state.mode, ...files };
}

/** TLS options for our own clients: only when plaintext is refused (required mode). */
export interface ClientTls {
  ca: string;
  servername: string;
  /** The devstack client certificate (Redis and FerretDB verify client certificates). */
  cert?: string;
  key?: string;
}

export function clientTls(config: Pick<LoadedConfig, 'stateRoot'>, service: StackService): ClientTls | undefined {
  const tls = serviceTls(config, service);
  if (!tls || tls.mode !== 'required') return undefined;
  const dir = path.join(certsRoot(config), 'client');
  const withCert = existsSync(path.join(dir, 'cert.pem')) && existsSync(path.join(dir, 'key.pem'));
  return {
    ca: readFileSync(tls.ca, 'utf8'),
    servername: 'localhost',
    ...(withCert ? { cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'), key: readFileSync(path.join(dir, 'key.pem'), 'utf8') } : {}),
  };
}

/** PostgreSQL: `-c` options; required mode also swaps pg_hba `host` lines for `hostssl`. */
export function postgresTlsArgs(config: LoadedConfig, dataDir: string, confDir: string): string[] {
  const tls = serviceTls(config, 'postgres');
  if (!tls) return [];
  const args = ['ssl=on', `ssl_cert_file=${tls.cert}`, `ssl_key_file=${tls.key}`, `ssl_ca_file=${tls.ca}`, 'ssl_min_protocol_version=TLSv1.2', `ssl_ciphers=${TLS_CIPHERS}`];
  const user = readTlsState(config)?.certUser;
  const original = readFileSync(path.join(dataDir, 'pg_hba.conf'), 'utf8');
  const lines = original.split('\n').filter((l) => !l.trim().startsWith('#') && l.trim());
  const body = tls.mode === 'required' ? lines.map((l) => l.replace(/^host(\s)/, 'hostssl$1')) : lines;
  // The certificate-only account goes first: its login is decided by the `cert` method, nothing else.
  const certLines = user ? [`hostssl all ${user} 127.0.0.1/32 cert`, `hostssl all ${user} ::1/128 cert`, `host all ${user} 0.0.0.0/0 reject`, `host all ${user} ::/0 reject`] : [];
  const hba = path.join(confDir, 'pg_hba.tls.conf');
  writeFileSync(hba, ['# devstack tls: generated from pg_hba.conf by core/local/tls-settings.ts', ...certLines, ...body, ''].join('\n'), { mode: 0o644 });
  args.push(`hba_file=${hba}`);
  return args.flatMap((a) => ['-c', a]);
}

/** MariaDB: [mysqld] lines written after the profile include (later lines win). */
export function mariadbTlsLines(config: LoadedConfig): string[] {
  const tls = serviceTls(config, 'mysql');
  if (!tls) return [];
  const lines = [`ssl_cert = ${tls.cert}`, `ssl_key = ${tls.key}`, `ssl_ca = ${tls.ca}`, 'tls_version = TLSv1.2,TLSv1.3', `ssl_cipher = ${TLS_CIPHERS}`];
  if (tls.mode === 'required') lines.push('require_secure_transport = ON');
  return lines;
}

/** Redis node config lines (after the profile include). Required: TLS on the node's own port, plaintext port 0. */
export function redisTlsLines(config: LoadedConfig, port: number): string[] {
  const tls = serviceTls(config, 'redis');
  if (!tls) return [];
  const files = [`tls-cert-file ${tls.cert}`, `tls-key-file ${tls.key}`, `tls-ca-cert-file ${tls.ca}`, 'tls-protocols "TLSv1.2 TLSv1.3"', `tls-ciphers ${TLS_CIPHERS}`, 'tls-auth-clients yes'];
  if (tls.mode === 'dual') return [...files, `tls-port ${port + REDIS_TLS_PORT_SHIFT}`];
  // The bus port is pinned to port + 10000 so nodes.conf stays valid; the bus and replication use TLS too.
  return [...files, 'port 0', `tls-port ${port}`, `cluster-port ${port + 10000}`, 'tls-cluster yes', 'tls-replication yes'];
}

/** FerretDB flags: dual adds a TLS listener beside the plaintext one; required moves the port to TLS. */
export function ferretTlsArgs(config: LoadedConfig, host: string, port: number): { plaintext: boolean; args: string[] } {
  const tls = serviceTls(config, 'mongodb');
  if (!tls) return { plaintext: true, args: [] };
  const tlsPort = tls.mode === 'dual' ? port + MONGO_TLS_PORT_SHIFT : port;
  return {
    plaintext: tls.mode === 'dual',
    args: [`--listen-tls=${host}:${tlsPort}`, `--listen-tls-cert-file=${tls.cert}`, `--listen-tls-key-file=${tls.key}`, `--listen-tls-ca-file=${tls.ca}`],
  };
}

/** Vault HTTPS listener in dual mode: vault port + 2 (each listener's cluster address is its port + 1). */
export const VAULT_TLS_PORT_SHIFT = SERVICE_REGISTRY.vault.tlsPortShift;

export interface VaultListener {
  port: number;
  clusterPort: number;
  /** TLS lines of the listener block; undefined: plaintext (`tls_disable = true`). */
  tls?: string[];
}

/**
 * The Vault listeners. Plaintext only without TLS; dual: plaintext on the port and HTTPS on port + 2;
 * required: HTTPS on the port. Client certificates are requested (not required) so the `cert` auth
 * method can log in the devstack client certificate; clients without one are served as before.
 */
export function vaultListeners(config: LoadedConfig): VaultListener[] {
  const port = config.ports.vault;
  const tls = serviceTls(config, 'vault');
  if (!tls) return [{ port, clusterPort: port + 1 }];
  const lines = [
    `  tls_cert_file = "${tls.cert}"`,
    `  tls_key_file = "${tls.key}"`,
    `  tls_client_ca_file = "${tls.ca}"`,
    `  tls_min_version = "tls12"`,
  ];
  if (tls.mode === 'required') return [{ port, clusterPort: port + 1, tls: lines }];
  return [
    { port, clusterPort: port + 1 },
    { port: port + VAULT_TLS_PORT_SHIFT, clusterPort: port + VAULT_TLS_PORT_SHIFT + 1, tls: lines },
  ];
}
