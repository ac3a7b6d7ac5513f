import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { DevstackError, readTlsState, type LoadedConfig } from '@devstack/core';

/** Tuning of the api process. Environment only: the api is a server started by `stack up`, not a CLI. */
export interface ApiOptions {
  /** Connections per backend pool (pg, mysql2; mongodb maxPoolSize). DEVSTACK_API_POOL, default 20. */
  pool: number;
  /** Per-request budget for one backend call; past it the endpoint answers 503. DEVSTACK_API_TIMEOUT_MS, default 2000. */
  timeoutMs: number;
  /** Rows/documents/keys seeded per backend for the single-row reads. DEVSTACK_API_ROWS, default 1000. */
  rows: number;
  /**
   * TLS: 'auto' serves HTTPS when TLS is enabled for the stack (`tls:enable`, .devstack/conf/tls.json)
   * and the cert pair exists; 'on' requires the pair; 'off' never. DEVSTACK_API_TLS.
   */
  tls: 'auto' | 'on' | 'off';
  /** The stack's TLS is enabled (tls:enable); issued certificates alone do not switch the api. */
  stackTls: boolean;
  /** The stack's TLS mode: dual serves HTTP and HTTPS on the api port, required HTTPS only (DEVSTACK_API_TLS=on: required). */
  tlsMode: 'dual' | 'required';
  /** Where the TLS helper writes the api's certificate: .devstack/certs/api/{cert,key}.pem. */
  certDir: string;
}

function intEnv(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new DevstackError('BAD_CONFIG', `${name}="${raw}" must be an integer between ${min} and ${max}.`, { fix: `Set ${name} to e.g. ${def}, or unset it.` });
  }
  return n;
}

export function apiOptions(config: LoadedConfig, env: NodeJS.ProcessEnv = process.env): ApiOptions {
  const tls = (env.DEVSTACK_API_TLS || 'auto') as ApiOptions['tls'];
  if (!['auto', 'on', 'off'].includes(tls)) {
    throw new DevstackError('BAD_CONFIG', `DEVSTACK_API_TLS="${tls}" must be auto, on or off.`, { fix: 'Unset DEVSTACK_API_TLS (auto) or set it to on/off.' });
  }
  return {
    pool: intEnv(env, 'DEVSTACK_API_POOL', 20, 1, 1000),
    timeoutMs: intEnv(env, 'DEVSTACK_API_TIMEOUT_MS', 2000, 50, 60000),
    rows: intEnv(env, 'DEVSTACK_API_ROWS', 1000, 1, 1_000_000),
    tls,
    stackTls: readTlsState(config) !== undefined,
    tlsMode: tls === 'on' ? 'required' : readTlsState(config)?.mode ?? 'required',
    certDir: path.join(config.stateRoot, 'certs', 'api'),
  };
}

export interface TlsFiles {
  cert: string;
  key: string;
}

/**
 * The TLS hook: the tls package (or anyone) writes cert.pem and key.pem to .devstack/certs/api/;
 * with the stack's TLS enabled (tls:enable) the api serves HTTPS when both exist (restart the api to
 * pick up new ones). Certificates alone (tls:certs) leave it on HTTP, like every other service.
 */
export function tlsFiles(options: ApiOptions): TlsFiles | undefined {
  const files = { cert: path.join(options.certDir, 'cert.pem'), key: path.join(options.certDir, 'key.pem') };
  const present = existsSync(files.cert) && existsSync(files.key);
  if (options.tls === 'off') return undefined;
  if (options.tls === 'on' && !present) {
    throw new DevstackError('ENVIRONMENT', `DEVSTACK_API_TLS=on but ${files.cert} / ${files.key} do not exist.`, {
      fix: 'Issue the api certificate (npx nx run tls:certs), or set DEVSTACK_API_TLS=auto.',
    });
  }
  if (options.tls === 'auto' && !options.stackTls) return undefined;
  return present ? files : undefined;
}
