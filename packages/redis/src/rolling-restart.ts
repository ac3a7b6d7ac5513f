import { DevstackError, endpointsOf, isAlive, readPid, sleep, stopPid, waitFor, type HostPort, type LoadedConfig, type Progress } from '@devstack/core';
import { redisClient, redisPidName, startRedisNode, type StackLayout } from '@devstack/runtime';
import { onNode, parseClusterNodes, readTopology, slotMasters, waitSlotMapsAgree, type ClusterNode } from './topology';

export interface RollingContext {
  config: LoadedConfig;
  layout: StackLayout;
  password: string;
  progress: Progress;
  signal?: AbortSignal;
}

export interface RollingStep {
  node: number;
  action: 'restart replica' | 'failover' | 'restart old master';
  durationMs: number;
}

async function info(node: HostPort, password: string, section: string): Promise<string> {
  return String(await onNode(node, password, 'INFO', section));
}

const field = (text: string, key: string) => new RegExp(`${key}:(\\S+)`).exec(text)?.[1];

/** Stop one node by the pid file the local provider wrote, start it again with the (new) active config. */
export async function restartNode(ctx: RollingContext, node: ClusterNode): Promise<void> {
  const index = node.port - ctx.config.ports.redis;
  const pid = readPid(ctx.layout.pid(redisPidName(index)));
  if (pid && isAlive(pid)) await stopPid(pid, { timeoutMs: 20000 });
  await startRedisNode(ctx.config, ctx.layout, index, ctx.password, ctx.signal);
}

/** Back in service: answers, sees cluster_state:ok, and (as a replica) has its link to the master up. */
export async function waitNodeReady(ctx: RollingContext, node: HostPort, timeoutMs = 30000): Promise<void> {
  await waitFor(
    async () => {
      const cluster = await info(node, ctx.password, 'cluster').catch(() => '');
      if (!/cluster_enabled:1/.test(cluster)) return false;
      const r = redisClient(node, ctx.password);
      try {
        await r.connect();
        if (field(String(await r.call('CLUSTER', 'INFO')), 'cluster_state') !== 'ok') return false;
        const repl = String(await r.call('INFO', 'replication'));
        if (field(repl, 'role') !== 'master' && field(repl, 'master_link_status') !== 'up') return false;
      } finally {
        r.disconnect();
      }
      // Every other node must have its bus link to this one back: failover votes travel over it.
      return seenConnectedByAll(ctx, node);
    },
    { timeoutMs, intervalMs: 100, what: `redis :${node.port} to rejoin (cluster_state:ok, replication link up)`, signal: ctx.signal },
  );
}

async function seenConnectedByAll(ctx: RollingContext, node: HostPort): Promise<boolean> {
  for (const other of endpointsOf(ctx.config).redis.nodes.filter((n) => n.port !== node.port)) {
    const r = redisClient(other, ctx.password);
    try {
      await r.connect();
      const seen = parseClusterNodes(String(await r.call('CLUSTER', 'NODES'))).find((n) => n.port === node.port);
      if (!seen || seen.failed || seen.handshake || !seen.connected) return false;
    } catch {
      // A node that is down (e.g. it refused a config) cannot vote or route; it does not block others.
    } finally {
      r.disconnect();
    }
  }
  return true;
}

/** CLUSTER FAILOVER on the replica (a coordinated hand-over: the master stops writes until the replica caught up). */
async function failover(ctx: RollingContext, replica: ClusterNode): Promise<void> {
  // A manual failover can expire when a vote is lost on a just-reconnected bus link: try up to 3 times.
  for (let attempt = 1; ; attempt++) {
    // Not through onNode: a retried CLUSTER FAILOVER could reach a node that already took over.
    const r = redisClient(replica, ctx.password);
    try {
      await r.connect();
      await r.call('CLUSTER', 'FAILOVER');
    } finally {
      r.disconnect();
    }
    try {
      await waitFor(async () => field(await info(replica, ctx.password, 'replication'), 'role') === 'master', {
        timeoutMs: 6000,
        intervalMs: 50,
        what: `replica :${replica.port} to take over as master after CLUSTER FAILOVER (attempt ${attempt} of 3)`,
        signal: ctx.signal,
      });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      ctx.progress(`redis: failover of :${replica.port} did not complete, retrying`);
    }
  }
}

/**
 * Restart all six nodes so each one reads the active config, without taking a slot offline:
 * replicas first, then for each master: fail over to its replica, restart the old master (now a
 * replica). A node that is down (e.g. it refused the previous config) is simply started.
 */
export async function rollingRestart(ctx: RollingContext): Promise<RollingStep[]> {
  const steps: RollingStep[] = [];
  const step = async (node: ClusterNode, action: RollingStep['action'], fn: () => Promise<void>) => {
    ctx.progress(`redis: ${action} :${node.port}`);
    const t0 = Date.now();
    await fn();
    steps.push({ node: node.port, action, durationMs: Date.now() - t0 });
  };
  const topology = await readTopology(ctx.config, ctx.password);
  for (const replica of topology.filter((n) => n.role === 'replica')) {
    await step(replica, 'restart replica', async () => {
      await restartNode(ctx, replica);
      await waitNodeReady(ctx, replica);
    });
  }
  for (const master of slotMasters(topology)) {
    const now = await readTopology(ctx.config, ctx.password);
    const replica = now.find((n) => n.role === 'replica' && n.masterId === master.id && !n.failed);
    if (!replica) throw new DevstackError('SERVICE_DOWN', `master :${master.port} has no healthy replica to fail over to; not restarting it.`);
    await step(replica, 'failover', () => failover(ctx, replica));
    // Let the old master learn it is a replica before it goes down.
    await sleep(200, ctx.signal);
    await step(master, 'restart old master', async () => {
      await restartNode(ctx, master);
      await waitNodeReady(ctx, master);
    });
  }
  // Done only when every node routes the same way: the next client (a bench) must not meet two views.
  await waitSlotMapsAgree(ctx.config, ctx.password, 20000, ctx.signal);
  return steps;
}
