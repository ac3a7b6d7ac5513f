import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import nodeVault from 'node-vault';
import type { LoadedConfig } from './config';
import { endpointsOf } from './endpoints';
import { DevstackError } from './errors';
import { clientTls } from './tls-settings';
import { registerSecret } from './redact';

export type VaultClient = nodeVault.client;

/** A Vault API error with the HTTP status and the server's error strings, for specific assertions. */
export interface VaultFailure {
  status: number;
  errors: string[];
}

export function vaultClient(config: LoadedConfig, token?: string): VaultClient {
  if (token) registerSecret(token);
  // tls:enable --mode required moves the (single) Vault listener to HTTPS with the devstack CA.
  const tls = clientTls(config, 'vault');
  const endpoint = tls ? endpointsOf(config).vault.url.replace(/^http:/, 'https:') : endpointsOf(config).vault.url;
  // Keep-alive over HTTPS too: node-vault builds its own https.Agent, without it a handshake per request.
  return nodeVault({ apiVersion: 'v1', endpoint, token, requestOptions: { timeout: 5000, ...(tls ? { ca: tls.ca, agentOptions: { keepAlive: true } } : {}) } });
}

export interface VaultReader {
  /** GET /v1/<path>: the parsed body on 200; else throws with `response: { statusCode, body }` (vaultFailure reads it). */
  read(apiPath: string): Promise<{ data?: Record<string, unknown> }>;
  close(): void;
}

/**
 * Reads for a hot path (the api's /vault/secret): one keep-alive GET per read on Node's own agent. Through
 * node-vault (axios, follow-redirects) a KV read cost the calling process 0.78 ms of CPU here (4 in
 * flight, 3,000 reads: 1,212 reads/s), where OpenBao itself answered 2,811 plain GETs/s; on a 2-core
 * machine that CPU came out of the api's capacity. Everything else keeps node-vault.
 */
export function vaultReader(config: LoadedConfig, token: string, timeoutMs = 5000): VaultReader {
  registerSecret(token);
  const tls = clientTls(config, 'vault');
  const base = new URL(tls ? endpointsOf(config).vault.url.replace(/^http:/, 'https:') : endpointsOf(config).vault.url);
  const agent = tls ? new https.Agent({ keepAlive: true, ca: tls.ca }) : new http.Agent({ keepAlive: true });
  const request = tls ? https.request : http.request;
  return {
    read: (apiPath) =>
      new Promise((resolve, reject) => {
        const url = new URL(`/v1/${apiPath.replace(/^\/+/, '')}`, base);
        const req = request(url, { agent, method: 'GET', headers: { 'X-Vault-Token': token }, timeout: timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            let body: { data?: Record<string, unknown>; errors?: string[] } = {};
            try {
              body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
            } catch {
              // not JSON (a proxy's page): the status says enough
            }
            if (res.statusCode === 200) return resolve(body);
            reject(Object.assign(new Error(`Vault GET ${url.pathname}: ${res.statusCode}${body.errors?.length ? ` ${body.errors.join('; ')}` : ''}`), { response: { statusCode: res.statusCode, body } }));
          });
        });
        req.on('timeout', () => req.destroy(new Error(`Vault GET ${url.pathname}: no answer within ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

/** Status code and error messages of a failed node-vault call (undefined when it was not an HTTP error). */
export function vaultFailure(err: unknown): VaultFailure | undefined {
  const e = err as { response?: { statusCode?: number; body?: { errors?: string[]; error?: string } } };
  const status = e?.response?.statusCode;
  if (typeof status !== 'number') return undefined;
  const body = e.response?.body;
  const errors = body?.errors ?? (body?.error ? [body.error] : []);
  return { status, errors: errors.map(String) };
}

export function vaultDir(config: LoadedConfig): string {
  return path.join(config.stateRoot, 'vault');
}

export interface VaultInit {
  keys: string[];
  root_token: string;
}

const initFile = (config: LoadedConfig) => path.join(vaultDir(config), 'init.json');

/** The unseal key and root token written by `stack up` (mode 0600). Only the local provider has them. */
export function readVaultInit(config: LoadedConfig): VaultInit | undefined {
  const file = initFile(config);
  if (!existsSync(file)) return undefined;
  const init = JSON.parse(readFileSync(file, 'utf8')) as VaultInit;
  init.keys.forEach(registerSecret);
  registerSecret(init.root_token);
  return init;
}

export function writeVaultInit(config: LoadedConfig, init: VaultInit): void {
  const dir = vaultDir(config);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  writeFileSync(initFile(config), JSON.stringify({ keys: init.keys, root_token: init.root_token }), { mode: 0o600 });
  init.keys.forEach(registerSecret);
  registerSecret(init.root_token);
}

/** An operator client with the root token (local stack) or VAULT_TOKEN. */
export function operatorClient(config: LoadedConfig): VaultClient {
  const token = process.env.VAULT_TOKEN || readVaultInit(config)?.root_token;
  if (!token) {
    throw new DevstackError('ENVIRONMENT', 'No Vault operator token: .devstack/vault/init.json is missing and VAULT_TOKEN is not set.', {
      fix: 'Start the embedded stack with `npx nx run stack:up`, or export VAULT_TOKEN for an external Vault.',
    });
  }
  return vaultClient(config, token);
}

/** The KV path of a service's secret, for v1 (`secret/devstack/x`) and v2 (`secret/data/devstack/x`) mounts. */
export function kvPath(config: LoadedConfig, service: string): string {
  const mount = config.vault.kvMount.replace(/\/+$/, '');
  return config.vault.kvVersion === 2 ? `${mount}/data/devstack/${service}` : `${mount}/devstack/${service}`;
}

/** Unwrap a KV read: v2 nests the secret under data.data, v1 under data. */
export function kvData(config: LoadedConfig, response: { data?: Record<string, unknown> }): Record<string, string> {
  const data = response?.data ?? {};
  const inner = config.vault.kvVersion === 2 ? (data.data as Record<string, unknown> | undefined) ?? {} : data;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(inner)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function kvBody(config: LoadedConfig, data: Record<string, string>): Record<string, unknown> {
  return config.vault.kvVersion === 2 ? { data } : data;
}

export interface VaultHealth {
  reachable: boolean;
  initialized?: boolean;
  sealed?: boolean;
  detail?: string;
}

/** Health without a token: init and seal status. */
export async function vaultHealth(config: LoadedConfig): Promise<VaultHealth> {
  const client = vaultClient(config);
  try {
    const init = (await client.initialized()) as { initialized: boolean };
    const seal = (await client.status()) as { sealed: boolean };
    return { reachable: true, initialized: init.initialized, sealed: seal.sealed };
  } catch (err) {
    const f = vaultFailure(err);
    return { reachable: !!f, detail: f ? `HTTP ${f.status} ${f.errors.join('; ')}` : (err as Error).message };
  }
}
