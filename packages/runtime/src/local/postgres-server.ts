import { appendFileSync, chownSync, copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { type LoadedConfig, getCredentials, endpointsOf, DevstackError, runCommand, waitFor, type ServiceStatus, clientTls, postgresTlsArgs } from '@devstack/core';
import { postgresBinDir, type StackLayout } from './layout';
import { baseStatus, ownedDir, runningPid, serviceAccount, startAndWait, stopByPidFile, type Account, type LocalContext, type LocalService } from './service';

const INCLUDE_MARK = '# devstack: active profile';

export const postgresService: LocalService = {
  name: 'postgres',
  ports: (config) => [config.ports.postgres],
  pidNames: () => ['postgres'],

  async start(ctx: LocalContext): Promise<void> {
    const { config, layout } = ctx;
    const bin = postgresBinDir();
    if (!bin) throw new DevstackError('TOOL_MISSING', 'PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin).', { fix: 'Run tools/setup.sh (installs Debian postgresql).' });
    const secret = ctx.secrets.get('postgres');
    if (!secret) throw new DevstackError('ENVIRONMENT', 'postgres: no credentials from Vault.');
    const account = serviceAccount();
    const dataDir = layout.data('postgres');
    const socketDir = ownedDir(path.join(layout.run, 'postgres'), account, 0o755);
    ownedDir(layout.conf('postgres'), account, 0o755);
    ensureActive(layout, 'postgres');
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      ctx.progress('postgres: initdb (first start)');
      await initCluster({ bin, dataDir, account, user: secret.user, password: secret.password, pwDir: layout.conf('postgres'), what: 'postgres' });
    }
    includeActiveProfile(dataDir, layout.activeConfig('postgres'));
    if (runningPid(layout, 'postgres')) return;
    ctx.progress(`postgres: starting on port ${config.ports.postgres}`);
    const { host, port } = endpointsOf(config).postgres;
    await startAndWait(
      layout,
      'postgres',
      {
        name: 'postgres',
        command: path.join(bin, 'postgres'),
        // Port, address and socket on the command line so no profile can move them.
        args: ['-D', dataDir, '-p', String(port), '-c', `listen_addresses=${host}`, '-c', `unix_socket_directories=${socketDir}`, '-c', 'logging_collector=off', ...postgresTlsArgs(config, dataDir, layout.conf('postgres'))],
        uid: account?.uid,
        gid: account?.gid,
        cwd: dataDir,
      },
      { host, port },
      60000,
      ctx.signal,
    );
    await waitFor(() => query(config, secret, 'SELECT 1').then(() => true), { timeoutMs: 30000, what: 'postgres to accept logins', logFile: layout.log('postgres') });
  },

  async stop({ layout }) {
    // SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
    await stopByPidFile(layout, 'postgres', 'SIGINT', 30000);
  },

  async status({ config, layout }): Promise<ServiceStatus> {
    const pid = runningPid(layout, 'postgres');
    const st = baseStatus('postgres', String(config.ports.postgres), pid, layout.log('postgres'));
    st.server = 'PostgreSQL';
    try {
      const creds = await getCredentials(config, 'postgres');
      const rows = await query(config, creds, 'SHOW server_version');
      st.version = String(rows[0].server_version).split(' ')[0];
      st.healthy = true;
    } catch (err) {
      st.detail = (err as Error).message;
    }
    return st;
  },
};

export async function query(config: LoadedConfig, creds: { user: string; password: string }, sql: string): Promise<Record<string, unknown>[]> {
  const { host, port } = endpointsOf(config).postgres;
  const ssl = clientTls(config, 'postgres');
  const client = new Client({ host, port, user: creds.user, password: creds.password, database: 'postgres', connectionTimeoutMillis: 3000, ...(ssl ? { ssl } : {}) });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * initdb a PostgreSQL cluster owned by the service account, with `user` as its superuser and
 * SCRAM-SHA-256 authentication. The password goes through a 0600 file removed right after.
 */
export async function initCluster(o: { bin: string; dataDir: string; account: Account | undefined; user: string; password: string; pwDir: string; what: string }): Promise<void> {
  rmSync(o.dataDir, { recursive: true, force: true });
  ownedDir(o.dataDir, o.account);
  const pwfile = path.join(o.pwDir, '.pwfile');
  writeFileSync(pwfile, `${o.password}\n`, { mode: 0o600 });
  if (o.account) chownSync(pwfile, o.account.uid, o.account.gid);
  const r = await runCommand(path.join(o.bin, 'initdb'), ['-D', o.dataDir, '-U', o.user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8'], {
    uid: o.account?.uid,
    gid: o.account?.gid,
    cwd: o.dataDir,
  }).finally(() => rmSync(pwfile, { force: true }));
  if (r.code !== 0) throw new DevstackError('ENVIRONMENT', `${o.what}: initdb failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`, { fix: `Data directory: ${o.dataDir}` });
}

/** postgresql.conf of a cluster ends with an include of the service's active profile (what tune swaps). */
export function includeActiveProfile(dataDir: string, activeConfig: string): void {
  const confFile = path.join(dataDir, 'postgresql.conf');
  if (!readFileSync(confFile, 'utf8').includes(INCLUDE_MARK)) {
    appendFileSync(confFile, `\n${INCLUDE_MARK}\ninclude_if_exists = '${activeConfig}'\n`);
  }
}

/** The active profile starts as configs/<service>/default.* when none is active yet. */
export function ensureActive(layout: StackLayout, service: string): void {
  const active = layout.activeConfig(service);
  if (existsSync(active)) return;
  const def = layout.profile(service, 'default');
  if (existsSync(def)) copyFileSync(def, active);
  else writeFileSync(active, `# ${service}: stock settings (no configs/${service}/default profile found)\n`);
}
