import { existsSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mysql from 'mysql2/promise';
import { type LoadedConfig, getCredentials, endpointsOf, DevstackError, runCommand, waitFor, type ServiceStatus, clientTls, mariadbTlsLines } from '@devstack/core';
import { findBinary } from './layout';
import { ensureActive } from './postgres-server';
import { baseStatus, ownedDir, runningPid, serviceAccount, startAndWait, stopByPidFile, type LocalContext, type LocalService } from './service';

export function mariadbSocket(layout: { run: string }): string {
  return path.join(layout.run, 'mysql', 'mysqld.sock');
}

export const mariadbService: LocalService = {
  name: 'mysql',
  ports: (config) => [config.ports.mysql],
  pidNames: () => ['mysql'],

  async start(ctx: LocalContext): Promise<void> {
    const { config, layout } = ctx;
    const server = findBinary('mariadbd', 'mysqld');
    const installDb = findBinary('mariadb-install-db', 'mysql_install_db');
    if (!server || !installDb) throw new DevstackError('TOOL_MISSING', 'MariaDB server not found (mariadbd, mariadb-install-db).', { fix: 'Run tools/setup.sh (installs Debian mariadb-server).' });
    const secret = ctx.secrets.get('mysql');
    if (!secret) throw new DevstackError('ENVIRONMENT', 'mysql: no credentials from Vault.');
    const account = serviceAccount();
    const dataDir = layout.data('mysql');
    ownedDir(path.join(layout.run, 'mysql'), account, 0o755);
    ownedDir(layout.conf('mysql'), account, 0o755);
    ensureActive(layout, 'mysql');
    const defaults = layout.conf('mysql', 'my.cnf');
    // The profile first; the settings that place the server (paths, port) after it and on the command line.
    writeFileSync(
      defaults,
      [`!include ${layout.activeConfig('mysql')}`, '[mysqld]', `datadir = ${dataDir}`, `socket = ${mariadbSocket(layout)}`, `pid-file = ${path.join(layout.run, 'mysql', 'mysqld.pid')}`, 'skip-name-resolve', ...mariadbTlsLines(config), ''].join('\n'),
    );
    if (!existsSync(path.join(dataDir, 'mysql'))) {
      ctx.progress('mysql: mariadb-install-db (first start)');
      ownedDir(dataDir, account);
      const r = await runCommand(installDb, [`--defaults-file=${defaults}`, `--datadir=${dataDir}`, '--auth-root-authentication-method=socket', '--skip-test-db', ...(account ? [`--user=${'devstack'}`] : [])], {
        timeoutMs: 120000,
      });
      if (r.code !== 0) throw new DevstackError('ENVIRONMENT', `mysql: mariadb-install-db failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
    }
    if (!runningPid(layout, 'mysql')) {
      ctx.progress(`mysql: starting MariaDB on port ${config.ports.mysql}`);
      const { host, port } = endpointsOf(config).mysql;
      await startAndWait(
        layout,
        'mysql',
        {
          name: 'mysql',
          command: server,
          args: [`--defaults-file=${defaults}`, `--port=${port}`, `--bind-address=${host}`],
          uid: account?.uid,
          gid: account?.gid,
        },
        { host, port },
        60000,
        ctx.signal,
      );
    }
    await ensureUser(layout, secret);
  },

  async stop({ layout }) {
    await stopByPidFile(layout, 'mysql', 'SIGTERM', 60000);
  },

  async status({ config, layout }): Promise<ServiceStatus> {
    const pid = runningPid(layout, 'mysql');
    const st = baseStatus('mysql', String(config.ports.mysql), pid, layout.log('mysql'));
    st.server = 'MariaDB';
    try {
      const creds = await getCredentials(config, 'mysql');
      const conn = await connect(config, creds);
      try {
        const [rows] = await conn.query('SELECT VERSION() AS v');
        st.version = String((rows as { v: string }[])[0].v).split('-')[0];
        st.healthy = true;
      } finally {
        await conn.end();
      }
    } catch (err) {
      st.detail = (err as Error).message;
    }
    return st;
  },
};

export function connect(config: LoadedConfig, creds: { user: string; password: string }): Promise<mysql.Connection> {
  const { host, port } = endpointsOf(config).mysql;
  const ssl = clientTls(config, 'mysql');
  return mysql.createConnection({ host, port, user: creds.user, password: creds.password, connectTimeout: 3000, ...(ssl ? { ssl } : {}) });
}

/**
 * The all-privilege account mariadb-install-db made for whoever runs `stack up`: unix_socket
 * authentication matches the socket peer's OS user, so root logs in as `root`, an ordinary user as
 * the `<name>@localhost` account install-db creates for the OS user that ran it.
 */
export function socketAdmin(uid: number = process.getuid?.() ?? 0, name: string = os.userInfo().username): string {
  return uid === 0 ? 'root' : name;
}

/** Create or update the stack's account over the unix socket (the admin authenticates by socket peer). */
async function ensureUser(layout: { run: string }, secret: { user: string; password: string }): Promise<void> {
  const admin = socketAdmin();
  const conn = await waitFor(
    () => mysql.createConnection({ socketPath: mariadbSocket(layout), user: admin }),
    { timeoutMs: 30000, what: `MariaDB socket login as ${admin}` },
  );
  try {
    for (const host of ['127.0.0.1', 'localhost', '::1']) {
      await conn.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [secret.user, host, secret.password]);
      await conn.query('ALTER USER ?@? IDENTIFIED BY ?', [secret.user, host, secret.password]);
      await conn.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [secret.user, host]);
    }
  } finally {
    await conn.end();
  }
}
