import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { Client } from 'pg';
import { type LoadedConfig, endpointsOf, getCredentials, DevstackError, MONGO_BACKEND_PORT_SHIFT, waitFor, type ServiceStatus, clientTls, ferretTlsArgs } from '@devstack/core';
import { findBinary, postgresBinDir, StackLayout } from './layout';
import { includeActiveProfile, initCluster } from './postgres-server';
import { baseStatus, executableReplaced, ownedDir, runningPid, serviceAccount, startAndWait, stopByPidFile, type LocalContext, type LocalService } from './service';

export interface MongoBinary {
  path: string;
  server: 'MongoDB' | 'FerretDB';
}

/** `mongod` when on PATH, else FerretDB 1.24 (PostgreSQL backend) built by tools/setup.sh. */
export function mongoBinary(): MongoBinary | undefined {
  const mongod = findBinary('mongod');
  if (mongod) return { path: mongod, server: 'MongoDB' };
  const ferret = findBinary('ferretdb');
  if (ferret) return { path: ferret, server: 'FerretDB' };
  return undefined;
}

/** The patch that makes FerretDB filter `_id` equality as `_jsonb->'_id' = $1` (see idIndexSql). */
export const ID_EQUALITY_PATCH = 'ferretdb-id-equality-pushdown.patch';

/**
 * The patches (tools/patches/ferretdb-*.patch) that tools/setup.sh built into this FerretDB binary, from
 * the stamp it writes next to the binary ("<version> <checksum> <patch names...>"). undefined: no stamp,
 * a FerretDB installed some other way (stock, run as it is).
 */
export function ferretdbPatches(binary: string): string[] | undefined {
  const stamp = `${binary}.devstack-stamp`;
  if (!existsSync(stamp)) return undefined;
  return readFileSync(stamp, 'utf8').trim().split(/\s+/).slice(2);
}

/** FerretDB's debug/metrics HTTP listener (health, Prometheus metrics): mongodb port + 1 (+2 is its dual-mode TLS listener). */
export const mongoMetricsPort = (config: Pick<LoadedConfig, 'ports'>) => config.ports.mongodb + 1;
/** FerretDB's own PostgreSQL cluster: mongodb port + 3, so the `postgres` service stays independent of document traffic. */
export const mongoBackendPort = (config: Pick<LoadedConfig, 'ports'>) => config.ports.mongodb + MONGO_BACKEND_PORT_SHIFT;
/** Pid file / log name of the backend cluster; it runs in the mongodb namespace when segmented. */
export const MONGO_BACKEND_PID = 'mongodb-pg';
/** The PostgreSQL database FerretDB keeps its MongoDB databases in (one schema each). */
export const MONGO_BACKEND_DATABASE = 'ferretdb';
/** The MongoDB database that holds the stack's FerretDB user (clients authenticate against it). */
export const MONGO_AUTH_DATABASE = 'admin';
/** Data directory of FerretDB's SQLite backend (mongodb.backend=sqlite): not the retired pre-PostgreSQL `mongodb` dir. */
export const SQLITE_DIR = 'mongodb-sqlite';

export function mongoUrl(config: LoadedConfig, creds?: { user: string; password: string }): string {
  const { host, port } = endpointsOf(config).mongodb;
  const auth = creds ? `${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@` : '';
  const authSource = creds ? `&authSource=${MONGO_AUTH_DATABASE}` : '';
  return `mongodb://${auth}${host}:${port}/?directConnection=true&serverSelectionTimeoutMS=3000${authSource}`;
}

/** FerretDB's storage: the config's `mongodb.backend` (DEVSTACK_MONGODB_BACKEND); postgresql unless asked. */
export const ferretHandler = (config?: Pick<LoadedConfig, 'mongodb'>): 'postgresql' | 'sqlite' => config?.mongodb?.backend ?? 'postgresql';
/** Does the stack run FerretDB's own PostgreSQL cluster? (Without a config: assume so, for stop and cleanup.) */
const usesBackend = (config?: Pick<LoadedConfig, 'mongodb'>) => mongoBinary()?.server !== 'MongoDB' && ferretHandler(config) === 'postgresql';
/** The handler the running FerretDB was started with (a file next to its pid file). */
const HANDLER_FILE = 'mongodb.handler';

/** Go's GOGC for FerretDB unless DEVSTACK_FERRETDB_GOGC says otherwise: at Go's 100, point reads spend ~10% of its CPU in GC. */
export const FERRETDB_GOGC_DEFAULT = 400;
const GOGC_MIN = 50;
const GOGC_MAX = 2000;

/** GOGC for the FerretDB process from DEVSTACK_FERRETDB_GOGC (an integer 50..2000; unset or empty: the default). */
export function ferretGogc(env: NodeJS.ProcessEnv): number {
  const raw = env.DEVSTACK_FERRETDB_GOGC?.trim();
  if (raw === undefined || raw === '') return FERRETDB_GOGC_DEFAULT;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= GOGC_MIN && n <= GOGC_MAX)) {
    throw new DevstackError('BAD_INPUT', `DEVSTACK_FERRETDB_GOGC must be an integer from ${GOGC_MIN} to ${GOGC_MAX} (Go's GOGC for FerretDB; "off" is not allowed), got "${raw}".`, {
      fix: `Unset DEVSTACK_FERRETDB_GOGC for the default ${FERRETDB_GOGC_DEFAULT}, or set an integer such as DEVSTACK_FERRETDB_GOGC=${FERRETDB_GOGC_DEFAULT}.`,
    });
  }
  return n;
}

/**
 * Go's GOMAXPROCS for FerretDB: DEVSTACK_FERRETDB_GOMAXPROCS (an integer 1..1024) if set; otherwise, on
 * the postgresql handler, half the cores (at least 1): the storage work runs in its PostgreSQL's
 * processes, and with a P per core Go's idle Ps spin and wake each other between requests (on 2 cores,
 * GOMAXPROCS=1 cut FerretDB's CPU per point read, relative to the bench client's, by 13%: paired 95%
 * signed-rank interval 9-17% over 6 pairs in ABBA order; docs/mongodb-ferretdb-tune.md). On SQLite
 * FerretDB does the storage work itself, so Go's default (every core) stays: undefined.
 */
export function ferretGomaxprocs(env: NodeJS.ProcessEnv, handler: 'postgresql' | 'sqlite', cores = os.cpus().length): number | undefined {
  const raw = env.DEVSTACK_FERRETDB_GOMAXPROCS?.trim();
  if (raw === undefined || raw === '') return handler === 'postgresql' ? Math.max(1, Math.floor(cores / 2)) : undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 1024)) {
    throw new DevstackError('BAD_INPUT', `DEVSTACK_FERRETDB_GOMAXPROCS must be an integer from 1 to 1024 (Go's GOMAXPROCS for FerretDB), got "${raw}".`, {
      fix: 'Unset DEVSTACK_FERRETDB_GOMAXPROCS for the default (half the cores on the postgresql backend, every core on sqlite), or set an integer such as DEVSTACK_FERRETDB_GOMAXPROCS=2.',
    });
  }
  return n;
}

/** The FerretDB process's environment: the caller's, GOGC (ferretGogc) and GOMAXPROCS (ferretGomaxprocs), then `extra` (secrets: never argv, ps shows it). */
export function ferretEnv(base: NodeJS.ProcessEnv, extra: Record<string, string>, handler: 'postgresql' | 'sqlite' = 'postgresql', cores?: number): NodeJS.ProcessEnv {
  const procs = ferretGomaxprocs(base, handler, cores);
  return { ...base, GOGC: String(ferretGogc(base)), ...(procs !== undefined ? { GOMAXPROCS: String(procs) } : {}), ...extra };
}

export const mongoService: LocalService = {
  name: 'mongodb',
  ports: (config) =>
    usesBackend(config)
      ? [config.ports.mongodb, mongoMetricsPort(config), mongoBackendPort(config)]
      : mongoBinary()?.server === 'FerretDB'
        ? [config.ports.mongodb, mongoMetricsPort(config)]
        : [config.ports.mongodb],
  portPids: (config) => (usesBackend(config) ? ['mongodb', 'mongodb', MONGO_BACKEND_PID] : ['mongodb']),
  pidNames: (config) => (usesBackend(config) ? ['mongodb', MONGO_BACKEND_PID] : ['mongodb']),

  async start(ctx: LocalContext): Promise<void> {
    const { config, layout } = ctx;
    const bin = mongoBinary();
    if (!bin) throw new DevstackError('TOOL_MISSING', 'No MongoDB protocol server found (mongod or ferretdb).', { fix: 'Run tools/setup.sh: it builds FerretDB 1.24 with Go.' });
    const { host, port } = endpointsOf(config).mongodb;
    if (bin.server === 'MongoDB') {
      ownedDir(layout.conf('mongodb'), undefined);
      ensureMongodActive(layout, ctx.progress);
      if (runningPid(layout, 'mongodb')) return;
      const dataDir = ownedDir(layout.data('mongodb'), undefined);
      // The profile (mongod.conf YAML) first; command-line options place the server and win over it.
      const args = ['--config', layout.activeConfig('mongodb'), '--port', String(port), '--bind_ip', host, '--dbpath', dataDir, '--pidfilepath', path.join(layout.run, 'mongod.pid')];
      ctx.progress(`mongodb: starting MongoDB on port ${port}`);
      await startAndWait(layout, 'mongodb', { name: 'mongodb', command: bin.path, args }, { host, port }, 30000, ctx.signal);
      await waitFor(() => ping(config).then(() => true), { timeoutMs: 20000, what: 'mongodb to answer ping', logFile: layout.log('mongodb') });
      return;
    }
    const secret = ctx.secrets.get('mongodb');
    if (!secret) throw new DevstackError('ENVIRONMENT', 'mongodb: no credentials from Vault.');
    retireSqliteFiles(layout, ctx.progress);
    const handler = ferretHandler(config);
    ferretEnv(process.env, {}, handler); // a bad DEVSTACK_FERRETDB_GOGC / _GOMAXPROCS refuses before anything starts
    const handlerFile = path.join(layout.run, HANDLER_FILE);
    const runningHandler = runningFerretHandler(layout);
    const running = runningPid(layout, 'mongodb');
    if (running && runningHandler !== handler) {
      // A switch of mongodb.backend: the running FerretDB serves the other storage, so it is restarted.
      ctx.progress(`mongodb: FerretDB runs with --handler=${runningHandler}, the config asks for ${handler}: restarting it`);
      await stopByPidFile(layout, 'mongodb');
    } else if (running && executableReplaced(running)) {
      // setup rebuilt FerretDB (a patch changed) since this one started: the backend settings follow the
      // new build's patches, so the old process must not keep serving.
      ctx.progress(`mongodb: ${bin.path} was rebuilt since the running FerretDB (pid ${running}) started: restarting it`);
      await stopByPidFile(layout, 'mongodb');
    }
    if (handler === 'postgresql') await startBackend(ctx, secret);
    if (runningPid(layout, 'mongodb')) return;
    const stateDir = ownedDir(layout.data('mongodb-state'), undefined);
    const tls = ferretTlsArgs(config, host, port);
    const args = [
      // Required TLS: no plaintext listener at all (empty --listen-addr), TLS on the port instead.
      `--listen-addr=${tls.plaintext ? `${host}:${port}` : ''}`,
      ...tls.args,
      `--handler=${handler}`,
      // SQLite (comparison only, mongodb.backend=sqlite): one file per MongoDB database in its own directory.
      ...(handler === 'sqlite' ? [`--sqlite-url=file:${ownedDir(layout.data(SQLITE_DIR), undefined)}/`] : []),
      `--state-dir=${stateDir}`,
      `--debug-addr=${host}:${mongoMetricsPort(config)}`,
      '--telemetry=disable',
      '--log-level=warn',
      // SCRAM-SHA-1/256 users of FerretDB itself; every command except hello/ping/buildInfo/saslStart... needs a login.
      '--test-enable-new-auth',
      `--setup-database=${MONGO_AUTH_DATABASE}`,
      `--setup-username=${secret.user}`,
    ];
    // Secrets through the environment (readable by root and the process owner only), never argv (ps shows it).
    const env = ferretEnv(process.env, {
      ...(handler === 'postgresql' ? { FERRETDB_POSTGRESQL_URL: backendUrl(config, secret) } : {}),
      FERRETDB_SETUP_PASSWORD: secret.password,
    }, handler);
    ctx.progress(
      handler === 'postgresql'
        ? `mongodb: starting FerretDB (PostgreSQL backend on port ${mongoBackendPort(config)}, authentication on) on port ${port}`
        : `mongodb: starting FerretDB on its SQLite backend (mongodb.backend=sqlite: for comparison only, ${path.relative(config.root, layout.data(SQLITE_DIR))}; authentication on) on port ${port}`,
    );
    await startAndWait(layout, 'mongodb', { name: 'mongodb', command: bin.path, args, env }, { host, port }, 30000, ctx.signal);
    writeFileSync(handlerFile, `${handler}\n`);
    await waitFor(() => ping(config).then(() => true), { timeoutMs: 20000, what: 'mongodb to answer ping', logFile: layout.log('mongodb') });
    await checkLogin(config, secret, layout);
  },

  // A FerretDB that serves the other handler, or whose binary setup has rebuilt since it started.
  outdated: ({ config, layout }) => {
    const pid = runningPid(layout, 'mongodb');
    return mongoBinary()?.server === 'FerretDB' && pid !== undefined && (runningFerretHandler(layout) !== ferretHandler(config) || executableReplaced(pid));
  },

  async stop({ layout }) {
    await stopByPidFile(layout, 'mongodb');
    rmSync(path.join(layout.run, HANDLER_FILE), { force: true });
    // SIGINT: PostgreSQL's "fast" shutdown.
    await stopByPidFile(layout, MONGO_BACKEND_PID, 'SIGINT', 30000);
  },

  async status({ config, layout }): Promise<ServiceStatus> {
    const pid = runningPid(layout, 'mongodb');
    const st = baseStatus('mongodb', String(config.ports.mongodb), pid, layout.log('mongodb'));
    st.server = mongoBinary()?.server ?? 'MongoDB';
    try {
      const info = await ping(config);
      st.version = info.ferretdbVersion ? `${info.ferretdbVersion} (MongoDB ${info.version} protocol)` : info.version;
      st.healthy = true;
      if (info.ferretdbVersion && ferretHandler(config) === 'sqlite') {
        st.detail = `SQLite backend (mongodb.backend=sqlite, comparison only) in ${layout.data(SQLITE_DIR)}; SCRAM authentication required`;
      } else if (info.ferretdbVersion) {
        const backendPid = runningPid(layout, MONGO_BACKEND_PID);
        st.healthy = backendPid !== undefined;
        st.detail = `PostgreSQL backend on port ${mongoBackendPort(config)} (${backendPid ? `pid ${backendPid}` : 'NOT running'}); SCRAM authentication required`;
      }
    } catch (err) {
      st.detail = (err as Error).message;
    }
    return st;
  },
};

/** The storage of the local stack's running FerretDB ('postgresql' or 'sqlite'), for results; undefined when FerretDB is not running here. */
export function ferretStorage(config: LoadedConfig): string | undefined {
  const layout = new StackLayout(config);
  return runningPid(layout, 'mongodb') !== undefined && mongoBinary()?.server === 'FerretDB' ? runningFerretHandler(layout) : undefined;
}

/** The --handler of the running FerretDB (recorded at start; before this file existed it was always postgresql). */
function runningFerretHandler(layout: StackLayout): string {
  const file = path.join(layout.run, HANDLER_FILE);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : 'postgresql';
}

function backendUrl(config: LoadedConfig, secret: { user: string; password: string }): string {
  const host = endpointsOf(config).mongodb.host;
  return `postgres://${encodeURIComponent(secret.user)}:${encodeURIComponent(secret.password)}@${host}:${mongoBackendPort(config)}/${MONGO_BACKEND_DATABASE}`;
}

/** The backend cluster: initdb on first start (superuser = the mongodb secret's user), the active profile included. */
async function startBackend(ctx: LocalContext, secret: { user: string; password: string }): Promise<void> {
  const { config, layout } = ctx;
  const bin = postgresBinDir();
  if (!bin) throw new DevstackError('TOOL_MISSING', 'PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin); FerretDB needs one as its backend.', { fix: 'Run tools/setup.sh (installs Debian postgresql).' });
  const account = serviceAccount();
  const dataDir = layout.data(MONGO_BACKEND_PID);
  const socketDir = ownedDir(path.join(layout.run, MONGO_BACKEND_PID), account, 0o755);
  // The backend reads the active profile from here, as the service account.
  ownedDir(layout.conf('mongodb'), account, 0o755);
  ensureBackendActive(layout, ctx.progress);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    ctx.progress('mongodb: initdb of the FerretDB backend PostgreSQL cluster (first start)');
    await initCluster({ bin, dataDir, account, user: secret.user, password: secret.password, pwDir: layout.conf('mongodb'), what: 'mongodb backend' });
  }
  includeActiveProfile(dataDir, layout.activeConfig('mongodb'));
  const host = endpointsOf(config).mongodb.host;
  const port = mongoBackendPort(config);
  if (!runningPid(layout, MONGO_BACKEND_PID)) {
    ctx.progress(`mongodb: starting its backend PostgreSQL on port ${port}`);
    await startAndWait(
      layout,
      MONGO_BACKEND_PID,
      {
        name: 'mongodb backend PostgreSQL',
        command: path.join(bin, 'postgres'),
        args: ['-D', dataDir, '-p', String(port), '-c', `listen_addresses=${host}`, '-c', `unix_socket_directories=${socketDir}`, '-c', 'logging_collector=off'],
        uid: account?.uid,
        gid: account?.gid,
        cwd: dataDir,
      },
      { host, port },
      60000,
      ctx.signal,
    );
  }
  await waitFor(() => backendQuery(config, secret, 'SELECT 1', 'postgres').then(() => true), {
    timeoutMs: 30000,
    what: 'the mongodb backend PostgreSQL to accept logins',
    logFile: layout.log(MONGO_BACKEND_PID),
  });
  const rows = await backendQuery(config, secret, `SELECT 1 FROM pg_database WHERE datname = '${MONGO_BACKEND_DATABASE}'`, 'postgres');
  if (rows.length === 0) await backendQuery(config, secret, `CREATE DATABASE ${MONGO_BACKEND_DATABASE}`, 'postgres');
  const ferret = mongoBinary();
  await backendQuery(config, secret, idIndexSql(ferret && ferretdbPatches(ferret.path)?.includes(ID_EQUALITY_PATCH) ? 'auto' : 'force_custom_plan'));
}

/**
 * FerretDB 1.24's PostgreSQL handler filters every equality, `_id` included, with jsonb containment
 * (`_jsonb->$1 @> $2`), which its own btree index on `(_jsonb->'_id')` cannot serve: each findOne by
 * _id was a sequential scan of the collection (0.25 ms of backend CPU at 1,000 documents, growing
 * with the collection). The backend database therefore gets, idempotently on every start:
 * - an event trigger that gives every FerretDB `_id` index a GIN (jsonb_path_ops) twin on the same
 *   expression, which serves `@>`; plus the same for tables that exist already;
 * - plan_cache_mode = force_custom_plan for its connections: FerretDB's cached prepared statement
 *   has the key as a parameter (`_jsonb->$1`), and only a custom plan sees '_id' and the index.
 * FerretDB keeps its own index metadata, so the extra index is invisible to clients (listIndexes).
 * The FerretDB that tools/setup.sh builds (ID_EQUALITY_PATCH) writes `_jsonb->'_id' = $1` instead, which
 * the btree index serves in a generic plan too: there PostgreSQL's default plan_cache_mode (auto) stays,
 * so a point read is planned once per connection, not on every execution (29% less backend CPU per
 * read than with force_custom_plan, measured; docs/mongodb-ferretdb-tune.md). The GIN twin stays for the containment filters left
 * (a boolean or date _id, and a FerretDB from elsewhere).
 */
export const idIndexSql = (planCacheMode: 'auto' | 'force_custom_plan') => `
CREATE OR REPLACE FUNCTION public.devstack_id_gin_for(idx oid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE rel regclass;
BEGIN
  SELECT i.indrelid::regclass INTO rel FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
   WHERE i.indexrelid = idx AND a.amname = 'btree' AND pg_get_indexdef(idx) LIKE '%USING btree (((_jsonb -> ''_id''::text)))';
  IF rel IS NOT NULL THEN
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> ''_id'') jsonb_path_ops)', 'devstack_id_gin_' || (SELECT indrelid FROM pg_index WHERE indexrelid = idx), rel);
  END IF;
END $fn$;
CREATE OR REPLACE FUNCTION public.devstack_id_gin() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' AND object_type = 'index' LOOP
    PERFORM public.devstack_id_gin_for(r.objid);
  END LOOP;
END $fn$;
DO $do$
DECLARE r record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'devstack_id_gin') THEN
    CREATE EVENT TRIGGER devstack_id_gin ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION public.devstack_id_gin();
  END IF;
  FOR r IN SELECT indexrelid FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') LOOP
    PERFORM public.devstack_id_gin_for(r.indexrelid);
  END LOOP;
END $do$;
${planCacheMode === 'auto' ? `ALTER DATABASE ${MONGO_BACKEND_DATABASE} RESET plan_cache_mode;` : `ALTER DATABASE ${MONGO_BACKEND_DATABASE} SET plan_cache_mode = force_custom_plan;`}
`;

/** A login with the Vault password must work, or `up` fails now with the server's answer instead of every client later. */
async function checkLogin(config: LoadedConfig, secret: { user: string; password: string }, layout: StackLayout): Promise<void> {
  const tls = clientTls(config, 'mongodb');
  const client = new MongoClient(mongoUrl(config, secret), { serverSelectionTimeoutMS: 5000, ...(tls ? { tls: true, ca: tls.ca, cert: tls.cert, key: tls.key } : {}) } as never);
  try {
    await client.connect();
    await client.db(MONGO_AUTH_DATABASE).command({ connectionStatus: 1 });
  } catch (err) {
    throw new DevstackError('ENVIRONMENT', `mongodb: FerretDB refused the Vault credentials of user "${secret.user}": ${(err as Error).message}`, {
      fix: `The user was created on the first start with the password Vault held then. If Vault was reset since, remove ${layout.data(MONGO_BACKEND_PID)} (dev data) or run: npx nx run stack:down --purge`,
      cause: err,
    });
  } finally {
    await client.close();
  }
}

/**
 * A query on the backend cluster as its superuser (the mongodb secret). Used by `up` and by
 * mongodb:tune's read-back; not a route for clients (they go through FerretDB).
 */
export async function backendQuery(config: LoadedConfig, creds: { user: string; password: string }, sql: string, database = MONGO_BACKEND_DATABASE): Promise<Record<string, unknown>[]> {
  const client = new Client({ host: endpointsOf(config).mongodb.host, port: mongoBackendPort(config), user: creds.user, password: creds.password, database, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Effective settings of the backend cluster (SHOW values from pg_settings) for mongodb:tune's read-back. */
export async function mongoBackendSettings(config: LoadedConfig, names: string[]): Promise<Record<string, string>> {
  if (names.length === 0) return {};
  const creds = await getCredentials(config, 'mongodb');
  const list = names.map((n) => `'${n.replace(/'/g, "''")}'`).join(', ');
  const rows = await backendQuery(config, creds, `SELECT name, current_setting(name) AS value FROM pg_settings WHERE name IN (${list})`);
  return Object.fromEntries(rows.map((r) => [String(r.name), String(r.value)]));
}

export async function mongoBackendVersion(config: LoadedConfig): Promise<string> {
  const creds = await getCredentials(config, 'mongodb');
  return String((await backendQuery(config, creds, 'SHOW server_version'))[0].server_version).split(' ')[0];
}

/** A postgresql.conf fragment has `name = value` lines only; a mongod.conf is YAML (`key:` lines, `{}`). */
export function isPostgresFragment(text: string): boolean {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .every((l) => /^[A-Za-z_][\w.]*\s*=/.test(l));
}

/**
 * The backend's active profile: configs/mongodb/default.conf on first start. An active.conf from the
 * SQLite days is a mongod.conf YAML that PostgreSQL cannot parse: kept as a backup, replaced, said so.
 */
function ensureBackendActive(layout: StackLayout, progress: (m: string) => void): void {
  const active = layout.activeConfig('mongodb');
  const def = layout.profile('mongodb', 'default');
  if (existsSync(active)) {
    if (isPostgresFragment(readFileSync(active, 'utf8'))) return;
    const kept = `${active}.mongod-yaml`;
    renameSync(active, kept);
    progress(`mongodb: ${path.relative(layout.config.root, active)} was a mongod.conf profile (FerretDB on SQLite ignored it); kept as ${path.basename(kept)}, replaced by the backend PostgreSQL's default profile`);
  }
  if (existsSync(def)) copyFileSync(def, active);
  else writeFileSync(active, '# mongodb backend PostgreSQL: stock settings (no configs/mongodb/default.conf found)\n');
}

/** mongod's active profile: configs/mongodb/mongod/default.conf; a backend PostgreSQL fragment is set aside. */
function ensureMongodActive(layout: StackLayout, progress: (m: string) => void): void {
  const active = layout.activeConfig('mongodb');
  const def = path.join(layout.config.root, 'configs', 'mongodb', 'mongod', 'default.conf');
  if (existsSync(active)) {
    const text = readFileSync(active, 'utf8');
    if (!isPostgresFragment(text) || !/^\s*[A-Za-z_]/m.test(text)) return;
    renameSync(active, `${active}.postgresql`);
    progress('mongodb: the active profile was FerretDB\'s backend PostgreSQL profile; set aside for mongod\'s default mongod.conf');
  }
  if (existsSync(def)) copyFileSync(def, active);
  else writeFileSync(active, '{}\n');
}

/**
 * FerretDB on SQLite (before this stack moved to the PostgreSQL backend) kept *.sqlite files in
 * .devstack/data/mongodb/. They are dev data, not migrated: moved aside once, never deleted, never fatal.
 */
export function retireSqliteFiles(layout: StackLayout, progress: (m: string) => void): void {
  const dir = layout.data('mongodb');
  try {
    if (!existsSync(dir)) return;
    const files = readdirSync(dir).filter((f) => /\.sqlite(-wal|-shm)?$/.test(f));
    if (files.length === 0) return;
    const bytes = files.reduce((a, f) => a + statSync(path.join(dir, f)).size, 0);
    let target = layout.data('mongodb-sqlite-retired');
    for (let i = 2; existsSync(target); i++) target = layout.data(`mongodb-sqlite-retired-${i}`);
    renameSync(dir, target);
    progress(
      `mongodb: found ${files.length} SQLite file(s) (${(bytes / 1024 ** 2).toFixed(1)} MB) from FerretDB's SQLite backend; the stack now uses PostgreSQL and does not migrate them: moved to ${path.relative(layout.config.root, target)} (delete it when no longer needed; stack down --purge removes it)`,
    );
  } catch (err) {
    progress(`mongodb: warning: could not move the old SQLite files in ${dir} aside (${(err as Error).message}); they are left in place and not used`);
  }
}

export async function ping(config: LoadedConfig): Promise<{ version: string; ferretdbVersion?: string }> {
  const tls = clientTls(config, 'mongodb');
  const client = new MongoClient(mongoUrl(config), { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000, ...(tls ? { tls: true, ca: tls.ca, cert: tls.cert, key: tls.key } : {}) } as never);
  try {
    await client.connect();
    const admin = client.db('admin');
    // ping and buildInfo need no login, also with authentication on.
    await admin.command({ ping: 1 });
    const build = await admin.command({ buildInfo: 1 });
    return { version: String(build.version), ferretdbVersion: build.ferretdbVersion ? String(build.ferretdbVersion).replace(/^v/, '') : undefined };
  } finally {
    await client.close();
  }
}
