import { keySlot } from './slots';
import { endpointsOf, type HostPort, type LoadedConfig } from '@devstack/core';
import { redisClient } from '@devstack/runtime';

/** One line of CLUSTER NODES, as this package needs it. */
export interface ClusterNode {
  id: string;
  host: string;
  port: number;
  role: 'master' | 'replica';
  /** For a replica: the id of its master. */
  masterId?: string;
  failed: boolean;
  /** Slot ranges served (masters only). */
  slots: [number, number][];
}

/** Parse CLUSTER NODES output (pure; unit-tested). */
export function parseClusterNodes(text: string): ClusterNode[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const f = line.trim().split(' ');
      const addr = f[1].split('@')[0];
      const colon = addr.lastIndexOf(':');
      const flags = f[2].split(',');
      const slots: [number, number][] = f
        .slice(8)
        .filter((s) => !s.startsWith('['))
        .map((s) => {
          const [a, b] = s.split('-').map(Number);
          return [a, b ?? a] as [number, number];
        });
      return {
        id: f[0],
        host: addr.slice(0, colon),
        port: Number(addr.slice(colon + 1)),
        role: flags.includes('master') ? 'master' : 'replica',
        masterId: f[3] !== '-' ? f[3] : undefined,
        failed: flags.some((x) => x === 'fail' || x === 'fail?' || x === 'noaddr'),
        slots,
      } as ClusterNode;
    });
}

/** The masters that serve slots, ordered by their first slot (m0 serves slot 0): stable names across ports. */
export function slotMasters(nodes: ClusterNode[]): ClusterNode[] {
  return nodes.filter((n) => n.role === 'master' && n.slots.length > 0).sort((a, b) => a.slots[0][0] - b.slots[0][0]);
}

export function servesSlot(node: ClusterNode, slot: number): boolean {
  return node.slots.some(([a, b]) => slot >= a && slot <= b);
}

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

/** Run one command on one node with a short-lived connection. */
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
