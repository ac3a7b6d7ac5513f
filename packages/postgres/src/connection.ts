import { Client } from 'pg';
import { BENCH_DATABASE, endpointsOf, getCredentials, serviceDown, withOpen, type LoadedConfig, type ServiceCredentials } from '@devstack/core';

export interface PgSession {
  config: LoadedConfig;
  creds: ServiceCredentials;
}

/** Credentials from Vault (AppRole); a stack that is down is exit 3 with the command that starts it. */
export async function pgSession(config: LoadedConfig): Promise<PgSession> {
  const creds = await getCredentials(config, 'postgres');
  return { config, creds };
}

export async function pgClient(session: PgSession, database = 'postgres'): Promise<Client> {
  const { host, port } = endpointsOf(session.config).postgres;
  const client = new Client({ host, port, user: session.creds.user, password: session.creds.password, database, connectionTimeoutMillis: 5000 });
  await client.connect().catch((cause: unknown) => {
    throw serviceDown('PostgreSQL', host, port, cause);
  });
  return client;
}

export function withClient<T>(session: PgSession, fn: (c: Client) => Promise<T>, database?: string): Promise<T> {
  return withOpen(() => pgClient(session, database), (c) => c.end(), fn);
}

export async function serverVersion(session: PgSession): Promise<{ name: string; version: string }> {
  const v = await withClient(session, async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string);
  return { name: 'PostgreSQL', version: v.split(' ')[0] };
}

/** Environment for libpq tools (pgbench, psql): the password travels in PGPASSWORD, never on argv. */
export function pgToolEnv(session: PgSession): NodeJS.ProcessEnv {
  const { host, port } = endpointsOf(session.config).postgres;
  return { ...process.env, PGHOST: host, PGPORT: String(port), PGUSER: session.creds.user, PGPASSWORD: session.creds.password, PGDATABASE: BENCH_DATABASE };
}

/** The bench's own database: created fresh, so a bench never touches user data. */
export async function createBenchDatabase(session: PgSession): Promise<void> {
  await withClient(session, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${BENCH_DATABASE}`);
  });
}

export async function dropBenchDatabase(session: PgSession): Promise<void> {
  await withClient(session, (c) => c.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE} WITH (FORCE)`));
}
