import type { FailoverContext } from './context';
import type { FaultMeasure } from './fault';
import { check, type ScenarioCheck } from './report';
import { SLOTS_REFRESH_MS } from './workload';

const fmt = (v?: number) => (v === undefined ? 'never' : `${Math.round(v)} ms`);

/** Detection and promotion (scenario 2, and the "same checks" of 7 and 10). */
export function timingChecks(ctx: FailoverContext, m: FaultMeasure, tag = ''): ScenarioCheck[] {
  const t = m.timeline;
  return [
    // PFAIL needs a missed pong for node-timeout after the last ping, so FAIL cannot honestly be
    // seen before half the node timeout; an earlier "detection" would mean stale sampling.
    check(`${tag}failure detected (victim flagged fail), not before half the node timeout`, t.detectionMs !== undefined && t.detectionMs >= ctx.nodeTimeoutMs / 2, `>= ${ctx.nodeTimeoutMs / 2} ms`, fmt(t.detectionMs)),
    check(`${tag}replica :${m.replicaPort} promoted to master`, t.promotionMs !== undefined, 'promoted', fmt(t.promotionMs)),
    check(`${tag}cluster_state:ok on every survivor within the budget`, t.clusterOkMs !== undefined && t.clusterOkMs <= ctx.budgetMs, `<= ${ctx.budgetMs} ms`, fmt(t.clusterOkMs)),
  ];
}

/** Scenario 3: the WAIT-acknowledged keys on the victim shard, key by key. */
export function dataChecks(m: FaultMeasure, tag = ''): ScenarioCheck[] {
  return [
    check(`${tag}keys on the victim were confirmed by WAIT 1 before the fault`, m.dataWaitReplicas >= 1 && m.data.acked === m.data.writes, `${m.data.writes} keys acked, WAIT >= 1`, `${m.data.acked} acked, WAIT ${m.dataWaitReplicas}`),
    check(`${tag}every WAIT-acked key readable with its value afterwards`, m.data.writes > 0 && m.data.lostAcked === 0 && m.data.foreign === 0, `0 of ${m.data.writes} lost`, `${m.data.lostAcked} lost${m.data.examples.length ? ` (${m.data.examples.join(', ')})` : ''}, ${m.data.foreign} wrong`),
  ];
}

/** Scenario 4: the application's Cluster client through the failover. */
export function clientChecks(ctx: FailoverContext, m: FaultMeasure, tag = ''): ScenarioCheck[] {
  const victim = m.workers[0];
  const outage = victim.window.maxStallMs;
  const slowest = Math.max(...m.workers.map((w) => w.window.slowestOpMs));
  // Budget for the cluster, then the client needs one command timeout plus, at worst, one periodic
  // slot-map refresh to find the new master (a paused master never answers MOVED).
  const limit = ctx.budgetMs + ctx.commandTimeoutMs + SLOTS_REFRESH_MS;
  return [
    check(`${tag}client resumes on the victim shard without a restart`, outage <= limit, `no successful op for at most budget + command timeout + slot refresh = ${limit} ms`, `${outage} ms without a successful op; ${victim.window.failed} of ${victim.window.ops} ops failed ${JSON.stringify(victim.window.errors)}`),
    check(`${tag}no operation hangs`, slowest < ctx.opBoundMs, `every op answers in < ${ctx.opBoundMs} ms`, `slowest ${slowest} ms`),
    check(`${tag}no WAIT-acknowledged write lost, no foreign value`, m.workload.lostReplicated === 0 && m.workload.foreign === 0, '0 lost', `${m.workload.lostReplicated} of ${m.workload.replicatedAcked} WAIT-acked lost; ${m.workload.lostAcked} of ${m.workload.acked} acked lost; ${m.workload.foreign} foreign`),
    check(`${tag}reads return the value just written`, m.workers.every((w) => w.readMismatches === 0), '0 mismatches', `${m.workers.reduce((a, w) => a + w.readMismatches, 0)} mismatches`),
  ];
}

/** Scenario 5 (and the restore half of 7 and 10): the old master is a caught-up replica of the new one. */
export function rejoinChecks(m: FaultMeasure, how: string, tag = ''): ScenarioCheck[] {
  return [check(`${tag}old master :${m.victimPort} ${how} rejoins as replica of :${m.replicaPort} with equal offsets`, m.rejoin.ms !== undefined, 'replica, link up, offsets equal', `${m.rejoin.ms === undefined ? 'not rejoined' : `${m.rejoin.ms} ms`}: ${m.rejoin.detail}`)];
}
