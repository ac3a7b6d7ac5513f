import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import Redis from 'ioredis';
import { MongoClient } from 'mongodb';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { endpointsOf, getCredentials, registerSecret, type LoadedConfig, type TlsMode } from '@devstack/core';
import { tlsTarget } from '../../src/targets';
import type { Material } from './fixtures';

export type DbService = 'postgres' | 'mysql' | 'redis' | 'mongodb' | 'vault';

/** Outcome of a login attempt: what the server said, with its code. */
export type Login = { ok: true; observed: string } | { ok: false; code: string; message: string };

async function attempt(fn: () => Promise<string>): Promise<Login> {
  try {
    return { ok: true, observed: await fn() };
  } catch (err) {
    const e = err as { code?: string | number; errno?: number; name?: string; message: string };
    return { ok: false, code: String(e.errno ?? e.code ?? e.name ?? 'UNKNOWN'), message: e.message };
  }
}

interface LoginSpec {
  tls: boolean;
  user?: 'admin' | 'cert';
  clientCert?: boolean;
}

/** A real driver session: TLS where asked (verified with the devstack CA), returning what the server reports about it. */
export async function driverLogin(m: Material, service: DbService, mode: TlsMode, spec: LoginSpec): Promise<Login> {
  const { config } = m;
  const ep = endpointsOf(config);
  const tlsOpts = spec.tls ? { ca: m.ca, servername: 'localhost', ...(spec.clientCert ? m.client : {}) } : undefined;
  const target = tlsTarget(config, service, mode);
  switch (service) {
    case 'postgres': {
      const creds = spec.user === 'cert' ? { user: 'devstack_tls', password: undefined } : await getCredentials(config, 'postgres');
      return attempt(async () => {
        const c = new Client({ ...ep.postgres, user: creds.user, password: creds.password, database: 'postgres', connectionTimeoutMillis: 4000, ...(tlsOpts ? { ssl: tlsOpts } : {}) });
        await c.connect();
        try {
          const r = await c.query('SELECT current_user AS u, ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
          return `user=${r.rows[0].u} ssl=${r.rows[0].ssl} ${r.rows[0].version ?? ''}`.trim();
        } finally {
          await c.end();
        }
      });
    }
    case 'mysql': {
      const creds = spec.user === 'cert' ? { user: 'devstack_tls', password: undefined } : await getCredentials(config, 'mysql');
      return attempt(async () => {
        const c = await mysql.createConnection({ ...ep.mysql, user: creds.user, password: creds.password, connectTimeout: 4000, ...(tlsOpts ? { ssl: tlsOpts } : {}) });
        try {
          const [rows] = await c.query("SELECT CURRENT_USER() AS u, VARIABLE_VALUE AS v FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'SSL_VERSION'");
          const r = (rows as { u: string; v: string }[])[0];
          return `user=${r.u} ssl_version=${r.v || '(none)'}`;
        } finally {
          await c.end();
        }
      });
    }
    case 'redis': {
      const creds = await getCredentials(config, 'redis');
      const node = spec.tls ? { host: target!.host, port: target!.port } : ep.redis.nodes[0];
      return attempt(async () => {
        const r = new Redis({ ...node, password: creds.password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 4000, ...(tlsOpts ? { tls: tlsOpts } : {}) });
        r.on('error', () => undefined);
        try {
          await r.connect();
          const pong = await r.ping();
          const info = String(await r.call('CLUSTER', 'INFO')).match(/cluster_state:(\w+)/)?.[1];
          return `${pong} cluster_state:${info}`;
        } finally {
          r.disconnect();
        }
      });
    }
    case 'mongodb': {
      const port = spec.tls ? target!.port : ep.mongodb.port;
      return attempt(async () => {
        const opts = { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000, ...(tlsOpts ? { tls: true, ca: tlsOpts.ca, ...(spec.clientCert ? m.client : {}) } : {}) };
        const c = new MongoClient(`mongodb://${ep.mongodb.host}:${port}/?directConnection=true`, opts as never);
        try {
          await c.connect();
          const r = await c.db('admin').command({ ping: 1 });
          return `ping ok=${r.ok}`;
        } finally {
          await c.close();
        }
      });
    }
    case 'vault':
      return attempt(async () => {
        // A real HTTP session: https on the TLS listener (chain verified with the root), http on the plaintext one.
        const port = spec.tls ? target!.port : ep.vault.port;
        const certLogin = spec.user === 'cert';
        const r = await vaultHttp(ep.vault.host, port, certLogin ? 'POST' : 'GET', certLogin ? '/v1/auth/cert/login' : '/v1/sys/seal-status', tlsOpts);
        if (r.status !== 200) throw Object.assign(new Error(`${r.status} ${(r.body.errors as string[] | undefined)?.join('; ') ?? ''}`.trim()), { code: String(r.status) });
        if (certLogin) {
          const auth = r.body.auth as { policies?: string[]; metadata?: { common_name?: string } };
          return `cert login: policies=${auth.policies?.join(',')} common_name=${auth.metadata?.common_name}`;
        }
        return `${spec.tls ? 'https' : 'http'} sealed=${r.body.sealed}`;
      });
  }
}

/** One Vault API request over http or https (never logs the body: a cert login returns a token). */
function vaultHttp(host: string, port: number, method: string, apiPath: string, tlsOpts?: { ca: string; servername: string; cert?: string; key?: string }): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const opts = { host, port, method, path: apiPath, timeout: 4000, ...(tlsOpts ? { ...tlsOpts } : {}) };
    const req = (tlsOpts ? https : http).request(opts, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let body: Record<string, unknown> = {};
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          body = { raw: text };
        }
        const token = (body.auth as { client_token?: string } | undefined)?.client_token;
        if (token) registerSecret(token);
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** Send plaintext protocol bytes to a port; a TLS-only server closes or resets without a protocol reply. */
export function plaintextProbe(host: string, port: number, bytes: string): Promise<{ reply: string; code: string }> {
  return new Promise((resolve) => {
    const s = net.connect(port, host, () => s.write(bytes));
    let reply = '';
    let code = 'CLOSED';
    const timer = setTimeout(() => ((code = 'TIMEOUT'), s.destroy()), 4000);
    s.on('data', (d) => (reply += d.toString()));
    s.on('error', (e: NodeJS.ErrnoException) => (code = e.code ?? 'ERROR'));
    s.on('close', () => (clearTimeout(timer), resolve({ reply, code })));
  });
}

export const PLAINTEXT_HELLO: Record<string, string> = {
  redis: 'PING\r\n',
  vault: 'GET /v1/sys/health HTTP/1.1\r\nHost: localhost\r\n\r\n',
  // Any bytes: a TLS listener reads them as a malformed ClientHello.
  mongodb: 'plaintext hello\r\n',
};

export type { LoadedConfig };
