import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { clientTls, contextOf, DevstackError, endpointsOf, getCredentials, operatorClient, readTlsState, startResult, tlsStateFile, type CommonOptions, type LoadedConfig, type StackService, type TaskResult, type TlsMode, type TlsState } from '@devstack/core';
import { mariadbSocket, providerFor, socketAdmin, StackLayout } from '@devstack/runtime';
import { certFiles, haveCerts } from './certs';
import { handshake } from './handshake';
import { CERT_USER } from './pki';
import { tlsTarget, TLS_SERVICES } from './targets';

export interface EnableOptions extends CommonOptions {
  mode?: string;
}

export interface ApplyOutcome {
  state: 'applied' | 'rolled-back';
  rows: string[][];
  reason?: string;
}

/** Read back one service after its restart: a verified handshake where TLS is expected, the driver through the provider. */
async function readBack(config: LoadedConfig, service: StackService, next: TlsState | undefined): Promise<string> {
  const target = next && next.services.includes(service) ? tlsTarget(config, service, next.mode) : undefined;
  if (target) {
    const h = await handshake(target, { ca: readFileSync(certFiles(config, 'x').ca, 'utf8') });
    if (!h.ok) throw new Error(`${service}: TLS handshake on ${target.port} failed: ${h.code} ${h.message}`);
    return `${h.protocol} on :${target.port}`;
  }
  return 'plaintext';
}

/**
 * The tune contract for TLS: back up .devstack/conf/tls.json, write the new state, restart every
 * service through the provider, read each back (verified handshake + healthy status). On any failure,
 * restore the backup, restart again, and report rolled-back (exit 1).
 */
export async function applyTlsState(config: LoadedConfig, next: TlsState | undefined, progress: (m: string) => void): Promise<ApplyOutcome> {
  const file = tlsStateFile(config);
  mkdirSync(path.dirname(file), { recursive: true });
  const backupDir = path.join(path.dirname(file), 'backups');
  let backup: string | undefined;
  if (existsSync(file)) {
    mkdirSync(backupDir, { recursive: true });
    backup = path.join(backupDir, `tls.json.${new Date().toISOString().replace(/[:.]/g, '-')}`);
    copyFileSync(file, backup);
  }
  const write = (s: TlsState | undefined) => (s ? writeFileSync(file, JSON.stringify(s, null, 2) + '\n') : rmSync(file, { force: true }));
  write(next);
  const provider = providerFor(config);
  const rows: string[][] = [];
  const restartAll = async () => {
    for (const s of TLS_SERVICES) await provider.restart(s, { progress });
  };
  let current: StackService | undefined;
  try {
    for (const s of TLS_SERVICES) {
      current = s;
      progress(`${s}: restarting (${next ? `TLS ${next.mode}` : 'plaintext'})`);
      await provider.restart(s, { progress });
      const observed = await readBack(config, s, next);
      const st = (await provider.status()).find((x) => x.service === s);
      if (!st?.healthy) throw new Error(`${s}: not healthy after restart: ${st?.detail ?? 'no status'}`);
      rows.push([s, next?.services.includes(s) ? next.mode : 'plaintext', observed, 'yes']);
    }
    if (next?.certUser) await ensureCertUsers(config);
    return { state: 'applied', rows };
  } catch (err) {
    const message = (err as Error).message.split('\n')[0];
    const reason = current && !message.startsWith(`${current}:`) ? `${current}: ${message}` : message;
    progress(`rolling back TLS settings: ${reason}`);
    write(backup ? (JSON.parse(readFileSync(backup, 'utf8')) as TlsState) : undefined);
    await restartAll();
    return { state: 'rolled-back', rows, reason };
  }
}

/** Vault's `cert` auth method: the devstack client certificate (CN devstack_tls, chained to the root) logs in with the default policy only. */
export const VAULT_CERT_ROLE = CERT_USER;

async function ensureVaultCertAuth(config: LoadedConfig): Promise<void> {
  const op = operatorClient(config);
  const auths = (await op.auths()) as Record<string, unknown>;
  const list = (auths.data as Record<string, unknown> | undefined) ?? auths;
  if (!Object.keys(list).includes('cert/')) await op.enableAuth({ mount_point: 'cert', type: 'cert', description: 'devstack client certificate logins' });
  await op.write(`auth/cert/certs/${VAULT_CERT_ROLE}`, {
    certificate: readFileSync(certFiles(config, 'x').ca, 'utf8'),
    allowed_common_names: CERT_USER,
    token_policies: 'default',
    token_ttl: '60s',
    token_max_ttl: '60s',
  });
}

/** The certificate-only accounts: PostgreSQL `cert` auth (pg_hba), MariaDB REQUIRE X509, Vault's cert auth method. */
async function ensureCertUsers(config: LoadedConfig): Promise<void> {
  await ensureVaultCertAuth(config);
  const admin = await getCredentials(config, 'postgres');
  const ssl = clientTls(config, 'postgres');
  const pg = new Client({ ...endpointsOf(config).postgres, user: admin.user, password: admin.password, database: 'postgres', ...(ssl ? { ssl } : {}) });
  await pg.connect();
  try {
    const r = await pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [CERT_USER]);
    if (r.rowCount === 0) await pg.query(`CREATE ROLE ${CERT_USER} LOGIN`);
  } finally {
    await pg.end();
  }
  const my = await mysql.createConnection({ socketPath: mariadbSocket(new StackLayout(config)), user: socketAdmin() });
  try {
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      await my.query('CREATE USER IF NOT EXISTS ?@? REQUIRE X509', [CERT_USER, host]);
      await my.query('ALTER USER ?@? REQUIRE X509', [CERT_USER, host]);
      await my.query('GRANT SELECT ON mysql.user TO ?@?', [CERT_USER, host]);
    }
  } finally {
    await my.end();
  }
}

export function parseMode(mode: string | undefined): TlsMode {
  const m = mode ?? 'dual';
  if (m !== 'dual' && m !== 'required') throw new DevstackError('BAD_INPUT', `Unknown TLS mode "${m}".`, { fix: 'Use --mode dual (plaintext beside TLS) or --mode required.' });
  return m;
}

function outcomeResult(result: ReturnType<typeof startResult>, task: string, outcome: ApplyOutcome, note: string): TaskResult {
  result.tables.push({ title: `TLS ${task}: restart and read-back per service`, head: ['service', 'mode', 'read back', 'healthy'], rows: outcome.rows });
  result.checks.push({ name: `TLS ${task} applied`, passed: outcome.state === 'applied', observed: outcome.state, detail: outcome.reason });
  result.notes.push(note);
  return result.finish();
}

export async function enable(options: EnableOptions): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const mode = parseMode(options.mode);
  const result = startResult('tls', 'enable', { profile: mode });
  if (!haveCerts(config)) throw new DevstackError('BAD_INPUT', `No certificates under ${path.dirname(certFiles(config, 'x').ca)}.`, { fix: 'npx nx run tls:certs' });
  const next: TlsState = { mode, services: [...TLS_SERVICES], certUser: CERT_USER };
  const outcome = await applyTlsState(config, next, progress);
  return outcomeResult(result, 'enable', outcome, mode === 'dual' ? 'dual: plaintext still served beside TLS on every service (Vault: HTTPS on its second listener)' : 'required: plaintext refused on every service');
}

export async function disable(options: CommonOptions): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const was = readTlsState(config)?.mode ?? 'plaintext';
  const result = startResult('tls', 'disable', { profile: 'plaintext' });
  const outcome = await applyTlsState(config, undefined, progress);
  return outcomeResult(result, 'disable', outcome, `plaintext only (was: ${was})`);
}
