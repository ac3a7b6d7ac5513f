/** What a probe does for each target: TCP connect, then one real protocol exchange. */
import * as http from 'node:http';
import * as net from 'node:net';
import Redis from 'ioredis';
import { MongoClient } from 'mongodb';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import type { ProbeOutcome, ProbeRequest, ProbeTarget } from './probe-types';

type Creds = ProbeRequest['credentials'];

/** Plain TCP connect first: it separates "refused / timed out" (denied) from "connected" (a denied flow that connects is a failure). */
function tcpConnect(host: string, port: number, timeoutMs: number): Promise<'connected' | 'refused' | 'timeout' | 'unreachable' | string> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (v: string) => {
      clearTimeout(t);
      s.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done('timeout'), timeoutMs);
    s.once('connect', () => done('connected'));
    s.once('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' ? 'refused' : e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH' ? 'unreachable' : `error:${e.code ?? e.message}`),
    );
  });
}

function httpGet(host: string, port: number, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('HTTP timeout')));
    req.on('error', reject);
  });
}

/** One real protocol exchange; resolves with what was observed, rejects with the server's or driver's error. */
async function exchange(t: ProbeTarget, creds: Creds, timeoutMs: number): Promise<string> {
  const { address: host, port } = t;
  switch (t.protocol) {
    case 'postgres': {
      const c = new Client({ host, port, user: creds.postgres?.user, password: creds.postgres?.password, database: 'postgres', connectionTimeoutMillis: timeoutMs });
      await c.connect();
      try {
        const r = await c.query('SELECT 1 AS one');
        return `SELECT 1 -> ${r.rows[0].one}`;
      } finally {
        await c.end();
      }
    }
    case 'mysql': {
      const c = await mysql.createConnection({ host, port, user: creds.mysql?.user, password: creds.mysql?.password, connectTimeout: timeoutMs });
      try {
        const [rows] = await c.query('SELECT 1 AS one');
        return `SELECT 1 -> ${(rows as { one: number }[])[0].one}`;
      } finally {
        await c.end();
      }
    }
    case 'mongodb': {
      const c = new MongoClient(`mongodb://${host}:${port}/?directConnection=true`, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
      try {
        await c.connect();
        const r = await c.db('admin').command({ ping: 1 });
        return `ping -> ok ${r.ok}`;
      } finally {
        await c.close();
      }
    }
    case 'redis': {
      const r = new Redis({ host, port, password: creds.redis?.password, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await r.connect();
        return `PING -> ${await r.ping()}`;
      } finally {
        r.disconnect();
      }
    }
    case 'vault-health': {
      // seal-status answers without a token on Vault and OpenBao alike, sealed or not.
      const res = await httpGet(host, port, '/v1/sys/seal-status', timeoutMs);
      const body = JSON.parse(res.body) as { sealed?: boolean };
      if (res.status !== 200 || body.sealed !== false) throw new Error(`seal-status HTTP ${res.status}, sealed=${body.sealed}`);
      return 'seal-status -> 200, unsealed';
    }
    case 'http-metrics': {
      const res = await httpGet(host, port, '/debug/metrics', timeoutMs);
      if (res.status !== 200 || !/^# (HELP|TYPE) /m.test(res.body)) throw new Error(`/debug/metrics HTTP ${res.status}, not Prometheus text`);
      return 'GET /debug/metrics -> 200, Prometheus text';
    }
    case 'http-health': {
      const res = await httpGet(host, port, '/health', timeoutMs);
      if (res.status !== 200) throw new Error(`/health HTTP ${res.status}`);
      return 'GET /health -> 200';
    }
  }
}

export async function probe(req: ProbeRequest): Promise<ProbeOutcome[]> {
  return Promise.all(
    req.targets.map(async (t): Promise<ProbeOutcome> => {
      const t0 = Date.now();
      const tcp = await tcpConnect(t.address, t.port, req.connectTimeoutMs);
      if (tcp !== 'connected') return { id: t.id, outcome: tcp.startsWith('error:') ? 'error' : (tcp as ProbeOutcome['outcome']), detail: tcp, ms: Date.now() - t0 };
      try {
        const detail = await exchange(t, req.credentials, req.exchangeTimeoutMs);
        return { id: t.id, outcome: 'ok', detail, ms: Date.now() - t0 };
      } catch (err) {
        // Connected but the exchange failed: for a denied flow this is still a breach.
        return { id: t.id, outcome: 'connected', detail: String((err as Error).message).slice(0, 200), ms: Date.now() - t0 };
      }
    }),
  );
}

