import mysql from 'mysql2/promise';
import { BENCH_DATABASE, endpointsOf, getCredentials, serviceDown, withOpen, type LoadedConfig, type ServiceCredentials } from '@devstack/core';

export interface MysqlSession {
  config: LoadedConfig;
  creds: ServiceCredentials;
}

/** Credentials from Vault (AppRole), through core's one credential source. */
export async function mysqlSession(config: LoadedConfig): Promise<MysqlSession> {
  return { config, creds: await getCredentials(config, 'mysql') };
}

export async function mysqlConnection(session: MysqlSession, database?: string): Promise<mysql.Connection> {
  const { host, port } = endpointsOf(session.config).mysql;
  return mysql.createConnection({ host, port, user: session.creds.user, password: session.creds.password, database, connectTimeout: 5000 }).catch((cause: unknown) => {
    throw serviceDown('MariaDB', host, port, cause);
  });
}

export function withConnection<T>(session: MysqlSession, fn: (c: mysql.Connection) => Promise<T>, database?: string): Promise<T> {
  return withOpen(() => mysqlConnection(session, database), (c) => c.end(), fn);
}

export async function serverVersion(session: MysqlSession): Promise<{ name: string; version: string }> {
  const v = await withConnection(session, async (c) => String(((await c.query('SELECT VERSION() AS v'))[0] as { v: string }[])[0].v));
  return { name: /mariadb/i.test(v) ? 'MariaDB' : 'MySQL', version: v.split('-')[0] };
}

/** The bench's own database: created fresh, so a bench never touches user data. */
export async function createBenchDatabase(session: MysqlSession): Promise<void> {
  await withConnection(session, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE}`);
    await c.query(`CREATE DATABASE ${BENCH_DATABASE}`);
  });
}

export async function dropBenchDatabase(session: MysqlSession): Promise<void> {
  await withConnection(session, (c) => c.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE}`));
}

/**
 * sysbench connection flags and environment. The password goes in MYSQL_PWD (read by the client
 * library), never on the command line where `ps` would show it.
 */
export function sysbenchConnection(session: MysqlSession): { args: string[]; env: NodeJS.ProcessEnv } {
  const { host, port } = endpointsOf(session.config).mysql;
  return {
    args: ['--db-driver=mysql', `--mysql-host=${host}`, `--mysql-port=${port}`, `--mysql-user=${session.creds.user}`, `--mysql-db=${BENCH_DATABASE}`],
    env: { ...process.env, MYSQL_PWD: session.creds.password },
  };
}
