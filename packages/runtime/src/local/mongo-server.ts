import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { type LoadedConfig, endpointsOf, DevstackError, waitFor, type ServiceStatus, clientTls, ferretTlsArgs } from '@devstack/core';
import { findBinary } from './layout';
import { ensureActive } from './postgres-server';
import { baseStatus, ownedDir, runningPid, startAndWait, stopByPidFile, type LocalContext, type LocalService } from './service';

export interface MongoBinary {
  path: string;
  server: 'MongoDB' | 'FerretDB';
}

/** `mongod` when on PATH, else FerretDB (SQLite backend) built by tools/setup.sh. */
export function mongoBinary(): MongoBinary | undefined {
  const mongod = findBinary('mongod');
  if (mongod) return { path: mongod, server: 'MongoDB' };
  const ferret = findBinary('ferretdb');
  if (ferret) return { path: ferret, server: 'FerretDB' };
  return undefined;
}

/** FerretDB's debug/metrics HTTP listener (health, Prometheus metrics): mongodb port + 1. */
export const mongoMetricsPort = (config: LoadedConfig) => config.ports.mongodb + 1;

export function mongoUrl(config: LoadedConfig, creds?: { user: string; password: string }): string {
  const { host, port } = endpointsOf(config).mongodb;
  const auth = creds ? `${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@` : '';
  return `mongodb://${auth}${host}:${port}/?directConnection=true&serverSelectionTimeoutMS=3000`;
}

export const mongoService: LocalService = {
  name: 'mongodb',
  ports: (config) => [config.ports.mongodb, mongoMetricsPort(config)],
  pidNames: () => ['mongodb'],

  async start(ctx: LocalContext): Promise<void> {
    const { config, layout } = ctx;
    const bin = mongoBinary();
    if (!bin) throw new DevstackError('TOOL_MISSING', 'No MongoDB protocol server found (mongod or ferretdb).', { fix: 'Run tools/setup.sh: it builds FerretDB 1.24 with Go.' });
    ownedDir(layout.conf('mongodb'), undefined);
    ensureActive(layout, 'mongodb');
    if (runningPid(layout, 'mongodb')) return;
    const { host, port } = endpointsOf(config).mongodb;
    let args: string[];
    if (bin.server === 'FerretDB') {
      const dataDir = ownedDir(layout.data('mongodb'), undefined);
      const stateDir = ownedDir(layout.data('mongodb-state'), undefined);
      const tls = ferretTlsArgs(config, host, port);
      args = [
        // Required TLS: no plaintext listener at all (empty --listen-addr), TLS on the port instead.
        `--listen-addr=${tls.plaintext ? `${host}:${port}` : ''}`,
        ...tls.args,
        '--handler=sqlite',
        `--sqlite-url=file:${dataDir}/`,
        `--state-dir=${stateDir}`,
        `--debug-addr=${host}:${mongoMetricsPort(config)}`,
        '--telemetry=disable',
        '--log-level=warn',
      ];
    } else {
      const dataDir = ownedDir(layout.data('mongodb'), undefined);
      // The profile (mongod.conf YAML) first; command-line options place the server and win over it.
      args = ['--config', layout.activeConfig('mongodb'), '--port', String(port), '--bind_ip', host, '--dbpath', dataDir, '--pidfilepath', path.join(layout.run, 'mongod.pid')];
    }
    ctx.progress(`mongodb: starting ${bin.server} on port ${port}`);
    await startAndWait(layout, 'mongodb', { name: 'mongodb', command: bin.path, args }, { host, port }, 30000, ctx.signal);
    await waitFor(() => ping(config).then(() => true), { timeoutMs: 20000, what: 'mongodb to answer ping', logFile: layout.log('mongodb') });
  },

  async stop({ layout }) {
    await stopByPidFile(layout, 'mongodb');
  },

  async status({ config, layout }): Promise<ServiceStatus> {
    const pid = runningPid(layout, 'mongodb');
    const st = baseStatus('mongodb', String(config.ports.mongodb), pid, layout.log('mongodb'));
    st.server = mongoBinary()?.server ?? 'MongoDB';
    try {
      const info = await ping(config);
      st.version = info.ferretdbVersion ? `${info.ferretdbVersion} (MongoDB ${info.version} protocol)` : info.version;
      st.healthy = true;
      if (info.ferretdbVersion) st.detail = 'SQLite backend; authentication not enforced by FerretDB 1.x with SQLite';
    } catch (err) {
      st.detail = (err as Error).message;
    }
    return st;
  },
};

export async function ping(config: LoadedConfig): Promise<{ version: string; ferretdbVersion?: string }> {
  const tls = clientTls(config, 'mongodb');
  const client = new MongoClient(mongoUrl(config), { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000, ...(tls ? { tls: true, ca: tls.ca, cert: tls.cert, key: tls.key } : {}) } as never);
  try {
    await client.connect();
    const admin = client.db('admin');
    await admin.command({ ping: 1 });
    const build = await admin.command({ buildInfo: 1 });
    return { version: String(build.version), ferretdbVersion: build.ferretdbVersion ? String(build.ferretdbVersion).replace(/^v/, '') : undefined };
  } finally {
    await client.close();
  }
}
