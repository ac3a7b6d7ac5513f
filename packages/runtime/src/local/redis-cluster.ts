import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';
import { type LoadedConfig, getCredentials, endpointsOf, type HostPort, DevstackError, runCommand, waitFor, type ServiceStatus, clientTls, redisTlsLines, type ClientTls, parseRedisClusterNodes } from '@devstack/core';
import { findBinary, type StackLayout } from './layout';
import { ensureActive } from './postgres-server';
import { ownedDir, runningPid, startAndWait, stopByPidFile, type LocalContext, type LocalService } from './service';

export const redisPidName = (i: number) => `redis-${i}`;

/** Per-node config: stack defaults a profile may override, the active profile, then what places the node (later lines win in redis.conf). */
export function redisNodeConfig(config: LoadedConfig, layout: StackLayout, index: number, password: string): string {
  const port = config.ports.redis + index;
  const dir = layout.data('redis', String(port));
  return [
    // Before the profile, so a profile can set its own: a replica that needs a full sync (a node that
    // restarts with appendonly switched on loads nothing and syncs from scratch) waited Redis's default
    // 5 s for more replicas to join the transfer; each master here has one replica, so there is nothing
    // to wait for. With it, a rolling restart into appendonly took 5.3 s per node instead of 0.2 s.
    'repl-diskless-sync-delay 0',
    `include ${layout.activeConfig('redis')}`,
    `port ${port}`,
    `bind ${config.host}`,
    'protected-mode yes',
    'daemonize no',
    `dir ${dir}`,
    'cluster-enabled yes',
    `cluster-config-file nodes-${port}.conf`,
    `cluster-node-timeout ${config.redis.nodeTimeoutMs}`,
    `requirepass ${password}`,
    `masterauth ${password}`,
    `pidfile ${path.join(layout.run, `redis-server-${port}.pid`)}`,
    'logfile ""',
    ...redisTlsLines(config, port),
    '',
  ].join('\n');
}

export function redisNodeConfigFile(layout: StackLayout, port: number): string {
  return layout.conf('redis', `node-${port}.conf`);
}

/** Start one node (used by up, restarts and the failover suite). */
export async function startRedisNode(config: LoadedConfig, layout: StackLayout, index: number, password: string, signal?: AbortSignal): Promise<number> {
  const server = findBinary('redis-server');
  if (!server) throw new DevstackError('TOOL_MISSING', 'redis-server not found.', { fix: 'Run tools/setup.sh (installs Debian redis-server and redis-tools).' });
  const port = config.ports.redis + index;
  ownedDir(layout.data('redis', String(port)), undefined);
  const file = redisNodeConfigFile(layout, port);
  writeFileSync(file, redisNodeConfig(config, layout, index, password), { mode: 0o600 });
  return startAndWait(layout, redisPidName(index), { name: `redis:${port}`, command: server, args: [file] }, { host: config.host, port }, 20000, signal);
}

/** `tls`: pass clientTls(config, 'redis') when the nodes refuse plaintext (tls:enable --mode required). */
export function redisClient(node: HostPort, password: string, tls?: ClientTls): Redis {
  const r = new Redis({ host: node.host, port: node.port, password, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null, ...(tls ? { tls } : {}) });
  // Failures reach callers as rejected commands; without a listener ioredis also prints each one as "Unhandled error event".
  r.on('error', () => undefined);
  return r;
}

export interface ClusterShape {
  state: string;
  slotsAssigned: number;
  masters: { id: string; port: number; replicas: number[] }[];
  /** Problems found, in words; empty when the cluster is healthy 3+3. */
  problems: string[];
}

/** Read CLUSTER INFO / CLUSTER NODES from one node and check 3 masters each with one replica. */
export async function clusterShape(node: HostPort, password: string, tls?: ClientTls): Promise<ClusterShape> {
  const r = redisClient(node, password, tls);
  try {
    await r.connect();
    const info = String(await r.call('CLUSTER', 'INFO'));
    const nodes = String(await r.call('CLUSTER', 'NODES'));
    const field = (k: string) => info.match(new RegExp(`${k}:(\\S+)`))?.[1] ?? '';
    const state = field('cluster_state');
    const slotsAssigned = Number(field('cluster_slots_assigned'));
    const parsed = parseRedisClusterNodes(nodes);
    const masters = parsed
      .filter((n) => n.role === 'master' && n.health === 'ok' && n.slots.length > 0)
      .map((n) => ({ id: n.id, port: n.port, replicas: [] as number[] }));
    for (const n of parsed) {
      const m = n.flags.includes('slave') && n.health === 'ok' ? masters.find((x) => x.id === n.masterId) : undefined;
      if (m) m.replicas.push(n.port);
    }
    const problems: string[] = [];
    if (state !== 'ok') problems.push(`cluster_state:${state}`);
    if (slotsAssigned !== 16384) problems.push(`${slotsAssigned} of 16384 slots assigned`);
    if (masters.length !== 3) problems.push(`${masters.length} masters serving slots (expected 3)`);
    for (const m of masters) if (m.replicas.length !== 1) problems.push(`master :${m.port} has ${m.replicas.length} replicas (expected 1)`);
    return { state, slotsAssigned, masters, problems };
  } finally {
    r.disconnect();
  }
}

export const redisService: LocalService = {
  name: 'redis',
  ports: (config) => endpointsOf(config).redis.nodes.map((n) => n.port),
  pidNames: () => Array.from({ length: 6 }, (_, i) => redisPidName(i)),

  async start(ctx: LocalContext): Promise<void> {
    const { config, layout } = ctx;
    const secret = ctx.secrets.get('redis');
    if (!secret) throw new DevstackError('ENVIRONMENT', 'redis: no credentials from Vault.');
    ownedDir(layout.conf('redis'), undefined);
    ensureActive(layout, 'redis');
    const nodes = endpointsOf(config).redis.nodes;
    for (let i = 0; i < nodes.length; i++) {
      if (runningPid(layout, redisPidName(i))) continue;
      ctx.progress(`redis: starting node ${i + 1}/6 on port ${nodes[i].port}`);
      await startRedisNode(config, layout, i, secret.password, ctx.signal);
    }
    // A fresh set of nodes knows only itself: create the cluster (3 masters + 1 replica each).
    const known = await Promise.all(nodes.map((n) => knownNodes(n, secret.password, clientTls(config, 'redis'))));
    if (known.every((k) => k === 1)) {
      ctx.progress('redis: creating the cluster (3 masters, 3 replicas)');
      const cli = findBinary('redis-cli');
      if (!cli) throw new DevstackError('TOOL_MISSING', 'redis-cli not found.', { fix: 'Run tools/setup.sh (installs redis-tools).' });
      const r = await runCommand(cli, ['--cluster', 'create', ...nodes.map((n) => `${n.host}:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], {
        env: { ...process.env, REDISCLI_AUTH: secret.password },
        timeoutMs: 60000,
      });
      if (r.code !== 0) throw new DevstackError('ENVIRONMENT', `redis: cluster create failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
    }
    ctx.progress('redis: waiting for cluster_state:ok with 3 masters and 3 replicas');
    await waitFor(
      async () => {
        const shapes = await Promise.all(nodes.map((n) => clusterShape(n, secret.password, clientTls(config, 'redis'))));
        return shapes.every((s) => s.problems.length === 0) ? true : undefined;
      },
      { timeoutMs: 60000, intervalMs: 250, what: 'the Redis cluster to be healthy (cluster_state:ok, 16384 slots, 3 masters with 1 replica each)' },
    );
  },

  async stop({ layout }) {
    await Promise.all(Array.from({ length: 6 }, (_, i) => stopByPidFile(layout, redisPidName(i))));
  },

  async status({ config, layout }): Promise<ServiceStatus> {
    const nodes = endpointsOf(config).redis.nodes;
    const pids = nodes.map((_, i) => runningPid(layout, redisPidName(i)));
    const st: ServiceStatus = {
      service: 'redis',
      server: 'Redis Cluster',
      port: `${nodes[0].port}-${nodes[nodes.length - 1].port}`,
      pid: pids.find((p) => p !== undefined),
      healthy: false,
      logFile: layout.log(redisPidName(0)),
    };
    const down = nodes.filter((_, i) => !pids[i]).map((n) => n.port);
    try {
      const creds = await getCredentials(config, 'redis');
      const up = nodes.find((_, i) => pids[i]) ?? nodes[0];
      const r = redisClient(up, creds.password, clientTls(config, 'redis'));
      await r.connect();
      st.version = String(await r.info('server')).match(/redis_version:(\S+)/)?.[1];
      r.disconnect();
      const shape = await clusterShape(up, creds.password, clientTls(config, 'redis'));
      const problems = [...(down.length ? [`node(s) ${down.join(', ')} down`] : []), ...shape.problems];
      st.healthy = problems.length === 0;
      st.detail = st.healthy ? `${shape.masters.length} masters + ${shape.masters.reduce((a, m) => a + m.replicas.length, 0)} replicas, cluster_state:ok` : problems.join('; ');
    } catch (err) {
      st.detail = [...(down.length ? [`node(s) ${down.join(', ')} down`] : []), (err as Error).message].join('; ');
    }
    return st;
  },
};

async function knownNodes(node: HostPort, password: string, tls?: ClientTls): Promise<number> {
  const r = redisClient(node, password, tls);
  try {
    await r.connect();
    return Number(String(await r.call('CLUSTER', 'INFO')).match(/cluster_known_nodes:(\d+)/)?.[1] ?? 0);
  } finally {
    r.disconnect();
  }
}
