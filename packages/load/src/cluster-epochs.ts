import { endpointsOf, getCredentials, type LoadedConfig } from '@devstack/core';
import { redisClient } from '@devstack/runtime';

/** What one Redis node says about elections: its epochs and the failover messages it has counted. */
export interface NodeEpochs {
  port: number;
  role: string;
  currentEpoch: number;
  myEpoch: number;
  /** cluster_stats_messages_failover_auth_request_sent/received: elections this node took part in. */
  authRequestsSent: number;
  authRequestsReceived: number;
}

export interface EpochSnapshot {
  at: string;
  nodes: NodeEpochs[];
  /** Highest cluster_current_epoch of any node: every failover (automatic or manual) raises it by one. */
  clusterEpoch: number;
  /** Node ports that are masters, sorted. */
  masters: number[];
  /** Nodes that did not answer. */
  unreachable: number[];
}

const field = (info: string, name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);

/** CLUSTER INFO and ROLE of every node of the stack's cluster (direct connections, no cluster client). */
export async function epochSnapshot(config: LoadedConfig): Promise<EpochSnapshot> {
  const { password } = await getCredentials(config, 'redis', { onWarning: () => undefined });
  const nodes: NodeEpochs[] = [];
  const unreachable: number[] = [];
  await Promise.all(
    endpointsOf(config).redis.nodes.map(async (n) => {
      const c = redisClient(n, password);
      try {
        await c.connect();
        const info = String(await c.call('CLUSTER', 'INFO'));
        const role = ((await c.call('ROLE')) as unknown[])[0] as string;
        nodes.push({
          port: n.port,
          role,
          currentEpoch: field(info, 'cluster_current_epoch'),
          myEpoch: field(info, 'cluster_my_epoch'),
          authRequestsSent: field(info, 'cluster_stats_messages_failover_auth_request_sent') || 0,
          authRequestsReceived: field(info, 'cluster_stats_messages_failover_auth_request_received') || 0,
        });
      } catch {
        unreachable.push(n.port);
      } finally {
        c.disconnect();
      }
    }),
  );
  nodes.sort((a, b) => a.port - b.port);
  return {
    at: new Date().toISOString(),
    nodes,
    clusterEpoch: Math.max(0, ...nodes.map((x) => x.currentEpoch).filter(Number.isFinite)),
    masters: nodes.filter((x) => x.role === 'master').map((x) => x.port),
    unreachable: unreachable.sort((a, b) => a - b),
  };
}

/** Failovers between two snapshots: the rise of the cluster epoch (each election bumps it once). */
export function failoversBetween(before: EpochSnapshot, after: EpochSnapshot): { epochDelta: number; mastersChanged: boolean } {
  return { epochDelta: after.clusterEpoch - before.clusterEpoch, mastersChanged: before.masters.join(',') !== after.masters.join(',') };
}
