import { keySlot } from './slots';
import { DevstackError, endpointsOf, parseRedisClusterNodes, servesRedisSlot, sleep, type HostPort, type LoadedConfig, type RedisClusterNode } from '@devstack/core';
import { redisClient } from '@devstack/runtime';

/** One line of CLUSTER NODES: core's parser is the only one in the repo. */
export type ClusterNode = RedisClusterNode;
export const parseClusterNodes = parseRedisClusterNodes;

/** The masters that serve slots, ordered by their first slot (m0 serves slot 0): stable names across ports. */
export function slotMasters(nodes: ClusterNode[]): ClusterNode[] {
  return nodes.filter((n) => n.role === 'master' && n.slots.length > 0).sort((a, b) => a.slots[0].start - b.slots[0].start);
}

export const servesSlot = (node: ClusterNode, slot: number): boolean => servesRedisSlot(node, slot);

/** A hash tag ("{bench7}") whose slot the given master serves, so every key with it lands there. */
export function tagFor(master: ClusterNode): string {
  for (let i = 0; i < 100000; i++) {
    const tag = `{bench${i}}`;
    if (servesSlot(master, keySlot(tag))) return tag;
  }
  throw new Error(`no hash tag found for master :${master.port}`);
}

/** CLUSTER NODES from the first node of the stack that answers. */
export async function readTopology(config: LoadedConfig, password: string, except: number[] = []): Promise<ClusterNode[]> {
  let last: unknown;
  for (const node of endpointsOf(config).redis.nodes.filter((n) => !except.includes(n.port))) {
    const r = redisClient(node, password);
    try {
      await r.connect();
      return parseClusterNodes(String(await r.call('CLUSTER', 'NODES')));
    } catch (err) {
      last = err;
    } finally {
      r.disconnect();
    }
  }
  throw last instanceof Error ? last : new Error('no Redis node answered CLUSTER NODES');
}

/** The slot map one node's CLUSTER NODES shows: "start-end,...@port" per master with slots, in slot order. */
export function slotMapOf(nodes: ClusterNode[]): string {
  return slotMasters(nodes)
    .map((m) => `${m.slots.map((r) => `${r.start}-${r.end}`).join(',')}@${m.port}`)
    .join(' ');
}

/** The slot map and cluster_state as each answering node sees them (a node that does not answer has no view). */
export async function slotMapViews(config: LoadedConfig, password: string): Promise<{ port: number; map: string; state: string }[]> {
  const views: { port: number; map: string; state: string }[] = [];
  for (const node of endpointsOf(config).redis.nodes) {
    const r = redisClient(node, password);
    try {
      await r.connect();
      const map = slotMapOf(parseClusterNodes(String(await r.call('CLUSTER', 'NODES'))));
      const state = /cluster_state:(\w+)/.exec(String(await r.call('CLUSTER', 'INFO')))?.[1] ?? 'unknown';
      views.push({ port: node.port, map, state });
    } catch {
      // down or restarting: no view
    } finally {
      r.disconnect();
    }
  }
  return views;
}

/**
 * What keeps the answering nodes' views from agreeing, in words (undefined: one slot map, all
 * cluster_state:ok). A different map is named before a state, since it is what sends clients back and forth.
 */
export function slotMapsProblem(views: { port: number; map: string; state: string }[]): string | undefined {
  const distinct = [...new Set(views.map((v) => v.map))];
  if (distinct.length > 1) return `disagree on the slot map (${distinct.length} different views: ${views.map((v) => `:${v.port} ${v.map}`).join('; ')})`;
  const notOk = views.filter((v) => v.state !== 'ok');
  if (notOk.length) return `do not all report cluster_state:ok (${notOk.map((v) => `:${v.port} ${v.state}`).join(', ')})`;
  return undefined;
}

/**
 * Wait until every answering node shows the same slot map and cluster_state:ok. Right after a failover
 * the new master's epoch travels by gossip; a client that meets two views meanwhile is sent back and
 * forth (MOVED), and redis-benchmark --cluster can loop on that for ever (seen after a rolling restart:
 * 300 s, killed). And maps can agree while a node still counts the cluster down: with sub-second node
 * restarts, redis-benchmark right after the tune suite's rolling restart got "CLUSTERDOWN The cluster
 * is down" (2026-12-03).
 */
export async function waitSlotMapsAgree(config: LoadedConfig, password: string, timeoutMs = 20000, signal?: AbortSignal): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const views = await slotMapViews(config, password);
    if (views.length === 0) throw new DevstackError('SERVICE_DOWN', 'no Redis node answered CLUSTER NODES.', { fix: 'Start the stack: npx nx run stack:up' });
    const problem = slotMapsProblem(views);
    if (problem === undefined) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) {
      throw new DevstackError('SERVICE_DOWN', `the Redis nodes still ${problem} after ${timeoutMs} ms.`, {
        fix: 'Check `npx nx run stack:status` and the node logs under .devstack/logs/redis-*.log; `stack up` repairs the cluster.',
      });
    }
    await sleep(100, signal);
  }
}

/** Transient while a node restarts or a client races its close: worth one more try, not a failure. */
const TRANSIENT = /Connection is closed|ECONNREFUSED|ECONNRESET|LOADING/;

/**
 * One command on one node through a short-lived connection. During rolling restarts a node can close
 * the connection between connect and reply: such transient errors are retried (3 tries, 200 ms apart).
 */
export async function onNode<T = unknown>(node: HostPort, password: string, ...args: (string | number)[]): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const r = redisClient(node, password);
    try {
      await r.connect();
      return (await r.call(String(args[0]), ...args.slice(1).map(String))) as T;
    } catch (err) {
      if (attempt >= 3 || !TRANSIENT.test((err as Error).message)) throw err;
      await new Promise((res) => setTimeout(res, 200));
    } finally {
      r.disconnect();
    }
  }
}
