import { performance } from 'node:perf_hooks';
import { sleep } from '@devstack/core';
import { Poller, promotedAndOk, shardAt, startWorkload, verifyDataKeys, waitRejoin, workloadTargets, writeDataKeys, type FailoverContext } from './context';
import type { LossReport } from './loss';
import { addLoss } from './loss';
import type { Timeline } from './timing';
import { clusterClient, type WorkerStats } from './workload';
import { runProbes, type ProbeResult } from './probes';

export type Fault = 'kill' | 'shutdown' | 'pause';

/** What one injected master failure measured, from the fault to the rejoin of the old master. */
export interface FaultMeasure {
  fault: Fault;
  victimPort: number;
  replicaPort: number;
  timeline: Timeline;
  /** WAIT-acknowledged keys on the victim shard, read back key by key. */
  data: LossReport;
  dataWaitReplicas: number;
  workers: WorkerStats[];
  /** Continuous-writer accounting, victim shard and others together. */
  workload: LossReport;
  workloadByShard: Record<string, LossReport>;
  rejoin: { ms?: number; detail: string };
  probes?: ProbeResult;
}

/**
 * Fail the master of the shard serving `slot` (kill -9, SHUTDOWN, or SIGSTOP past the node timeout),
 * measure detection / promotion / cluster ok by polling the survivors, check the data and the client,
 * then bring the old master back and wait until it is a caught-up replica of the new master.
 */
export async function faultCycle(ctx: FailoverContext, slot: number, fault: Fault, name: string, withProbes = false): Promise<FaultMeasure> {
  const shard = await shardAt(ctx, slot);
  const victimPort = shard.masterPort;
  const replicaPort = shard.replicaPorts[0];
  const victimId = shard.masterId;
  const dataWrites = await writeDataKeys(ctx, shard, name);
  const targets = await workloadTargets(ctx, slot);
  const workload = startWorkload(ctx, targets, name);
  await sleep(300, ctx.signal); // a baseline of successful operations before the fault
  // A second application client that loads its slot map now, before the fault, and is not used again
  // until after promotion: it must follow MOVED on its own (scenario 11).
  const staleClient = withProbes ? clusterClient(ctx.ctl, ctx.password, { commandTimeoutMs: ctx.commandTimeoutMs }) : undefined;
  if (staleClient) await staleClient.get(dataWrites[0].key);
  const survivors = ctx.ctl.ports.filter((p) => p !== victimPort);
  let t0: number;
  if (fault === 'shutdown') {
    t0 = performance.now();
    // SHUTDOWN waits for the replica to catch up (Redis 7), then exits; the reply is a closed connection.
    await ctx.ctl.call(victimPort, 'SHUTDOWN').catch(() => undefined);
  } else {
    t0 = ctx.ctl.signal(victimPort, fault === 'kill' ? 'SIGKILL' : 'SIGSTOP');
  }
  workload.markFault(t0);
  const poller = new Poller(ctx, survivors, victimId, t0);
  const limit = Math.max(ctx.budgetMs * 3, ctx.nodeTimeoutMs * 4 + 5000);
  const polling = poller.start(promotedAndOk(replicaPort), limit);
  let probes: ProbeResult | undefined;
  try {
    if (staleClient) probes = await runProbes(ctx, { poller, victimSlot: slot, victimShard: shard, replicaPort, staleClient, victimKey: dataWrites[0] });
    await polling;
  } finally {
    await poller.stop();
    staleClient?.disconnect();
  }
  const timeline = poller.timeline(replicaPort);
  await sleep(500, ctx.signal); // let the client show it has recovered
  await workload.stop();
  const workers = workload.stats();
  // Bring the old master back: it must rejoin as a replica of the promoted node.
  const newMasterId = (await ctx.ctl.nodesOf(replicaPort)).find((n) => n.myself)!.id;
  if (fault === 'pause') {
    ctx.ctl.signal(victimPort, 'SIGCONT');
  } else {
    await ctx.ctl.waitGone(victimPort);
    await ctx.ctl.restart(victimPort, ctx.nodeTimeoutMs);
  }
  const rejoin = await waitRejoin(ctx, victimPort, newMasterId, 30000);
  const data = await verifyDataKeys(ctx, dataWrites);
  const byShard = await workload.verify();
  await workload.cleanup();
  return {
    fault,
    victimPort,
    replicaPort,
    timeline,
    data,
    dataWaitReplicas: dataWrites[0]?.replicas ?? 0,
    workers,
    workload: addLoss([...byShard.values()]),
    workloadByShard: Object.fromEntries(byShard),
    rejoin,
    probes,
  };
}
