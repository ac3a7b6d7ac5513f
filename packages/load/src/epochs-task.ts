import { contextOf, startResult, type CommonOptions, type TaskResult } from '@devstack/core';
import { epochSnapshot } from './cluster-epochs';

/**
 * `nx run load:epochs`: one snapshot of the cluster's epochs and election counters, written as a
 * result. Two snapshots around `npm test` or `load:capacity` count the failovers in between.
 */
export interface EpochsOptions extends CommonOptions {
  /** What the snapshot marks, e.g. "npm-test:start" (tools/test.sh); kept in the result for the report. */
  label?: string;
}

export async function epochsTask(options: EpochsOptions): Promise<TaskResult> {
  const { config } = contextOf(options);
  const result = startResult('load', 'epochs');
  const snap = await epochSnapshot(config);
  result.tables!.push({
    title: `Redis cluster: current epoch ${snap.clusterEpoch}, masters ${snap.masters.join(', ')}`,
    head: ['port', 'role', 'current epoch', 'my epoch', 'failover auth requests sent', 'received'],
    rows: snap.nodes.map((n) => [n.port, n.role, n.currentEpoch, n.myEpoch, n.authRequestsSent, n.authRequestsReceived]),
  });
  result.checks.push({ name: 'every node answered', passed: snap.unreachable.length === 0, observed: snap.unreachable.length ? `unreachable: ${snap.unreachable.join(', ')}` : `${snap.nodes.length} nodes` });
  result.data = { ...(options.label ? { label: options.label } : {}), snapshot: snap };
  return result.finish();
}
