import { performance } from 'node:perf_hooks';
import type { FailoverContext } from './context';
import { faultCycle, type FaultMeasure } from './fault';
import { clientChecks, dataChecks, rejoinChecks, timingChecks } from './fault-checks';
import { addLoss, type LossReport } from './loss';
import { check, verdictOf, type Repetition, type ScenarioCheck, type ScenarioOutcome } from './report';
import { restoreCluster, type Snapshot } from './restore';
import { healthyChecks, killReplica, killShard, manualFailover } from './scenarios';

export interface RunTotals {
  /** Acked-write accounting over every single-failure scenario (data keys and client writes). */
  single: LossReport;
  /** Scenario 9: both copies of a shard killed. */
  double: LossReport;
}

const NAMES: Record<number, string> = {
  1: 'healthy cluster',
  2: 'kill -9 a master',
  3: 'data survives (WAIT-acked keys on the victim)',
  4: 'client-side failover (ioredis Cluster)',
  5: 'killed node restarts and rejoins as replica',
  6: 'manual CLUSTER FAILOVER under load',
  7: 'graceful SHUTDOWN of a second master',
  8: 'kill -9 a replica',
  9: 'kill a master and its replica',
  10: 'SIGSTOP a master past the node timeout',
  11: 'cross-slot / multi-key ops during failover',
};

/** Run the 11 scenarios in order. A scenario that throws is recorded as `error`, the cluster is restored, and the run goes on. */
export async function runScenarios(ctx: FailoverContext, snap: Snapshot, repeat: number) {
  const outcomes: ScenarioOutcome[] = [];
  const reps: Repetition[] = [];
  const measures: FaultMeasure[] = [];
  const single: LossReport[] = [];
  const double: LossReport[] = [];
  const { shards } = await ctx.ctl.shards();
  const [slotA, slotB, slotC] = shards.map((s) => s.slots[0].start);

  const scenario = async (ids: number[], body: () => Promise<ScenarioOutcome[]>) => {
    const t = performance.now();
    ctx.progress(`scenario ${ids.join(', ')}: ${ids.map((i) => NAMES[i]).join('; ')}`);
    try {
      outcomes.push(...(await body()));
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      for (const id of ids) {
        if (outcomes.some((o) => o.id === id)) continue;
        outcomes.push({ id, name: NAMES[id], verdict: 'error', checks: [check('ran to completion', false, 'no error', (err as Error).message)], notes: [], durationMs: Math.round(performance.now() - t) });
      }
      ctx.progress(`scenario ${ids.join(', ')} errored (${(err as Error).message}); restoring the cluster before going on`);
      await restoreCluster(ctx.ctl, snap, ctx.nodeTimeoutMs, ctx.progress, ctx.migratingSlots);
    }
  };
  const outcome = (id: number, checks: ScenarioCheck[], t: number, extra: Partial<ScenarioOutcome> = {}): ScenarioOutcome => ({
    id,
    name: NAMES[id],
    verdict: verdictOf(checks),
    checks,
    notes: [],
    durationMs: Math.round(performance.now() - t),
    ...extra,
  });

  await scenario([1], async () => [outcome(1, await healthyChecks(ctx), performance.now())]);

  await scenario([2, 3, 4, 5, 11], async () => {
    const t = performance.now();
    for (let i = 1; i <= repeat; i++) {
      ctx.progress(`scenario 2: repetition ${i}/${repeat}`);
      const m = await faultCycle(ctx, slotA, 'kill', `kill${i}`, i === 1);
      measures.push(m);
      single.push(m.data, m.workload);
      reps.push({ rep: i, victimPort: m.victimPort, replicaPort: m.replicaPort, detectionMs: m.timeline.detectionMs, promotionMs: m.timeline.promotionMs, clusterOkMs: m.timeline.clusterOkMs, maxPollGapMs: m.timeline.maxPollGapMs });
    }
    const worst = (f: (m: FaultMeasure) => number | undefined) => {
      const v = measures.map(f);
      return v.some((x) => x === undefined) ? undefined : Math.max(...(v as number[]));
    };
    const tag = (_m: FaultMeasure, i: number) => (measures.length > 1 ? `rep ${i + 1}: ` : '');
    const workers = measures.flatMap((m) => m.workers.map((w) => w.window));
    const victim = measures.map((m) => m.workers[0].window);
    return [
      outcome(2, measures.flatMap((m, i) => timingChecks(ctx, m, tag(m, i))), t, { detectionMs: worst((m) => m.timeline.detectionMs), promotionMs: worst((m) => m.timeline.promotionMs), clusterOkMs: worst((m) => m.timeline.clusterOkMs) }),
      outcome(3, measures.flatMap((m, i) => dataChecks(m, tag(m, i))), t, { loss: addLoss(measures.map((m) => m.data)) }),
      outcome(4, measures.flatMap((m, i) => clientChecks(ctx, m, tag(m, i))), t, {
        errorWindowMs: Math.max(...victim.map((w) => w.maxStallMs)),
        failedOps: workers.reduce((a, w) => a + w.failed, 0),
        ops: workers.reduce((a, w) => a + w.ops, 0),
        loss: addLoss(measures.map((m) => m.workload)),
        data: { otherShards: measures.map((m) => m.workers.slice(1).map((w) => ({ label: w.label, ...w.window }))) },
      }),
      outcome(5, measures.flatMap((m, i) => rejoinChecks(m, 'restarted', tag(m, i))), t, { data: { rejoinMs: measures.map((m) => m.rejoin.ms) } }),
      outcome(11, measures[0].probes?.checks ?? [], t, { data: { slowestClientMs: measures[0].probes?.slowestClientMs } }),
    ];
  });

  await scenario([6], async () => {
    const t = performance.now();
    const r = await manualFailover(ctx, slotA);
    single.push(r.loss);
    return [outcome(6, r.checks, t, { promotionMs: r.timeline.promotionMs, clusterOkMs: r.timeline.clusterOkMs, errorWindowMs: Math.max(...r.workers.map((w) => w.window.maxStallMs)), failedOps: r.failed, ops: r.ops, loss: r.loss, data: { pipelineRedirects: r.pipelineRedirects } })];
  });

  await scenario([7], async () => {
    const t = performance.now();
    const m = await faultCycle(ctx, slotB, 'shutdown', 'shutdown');
    single.push(m.data, m.workload);
    const checks = [...timingChecks(ctx, m), ...dataChecks(m), ...clientChecks(ctx, m), ...rejoinChecks(m, 'restarted')];
    return [outcome(7, checks, t, faultFigures(m))];
  });

  await scenario([8], async () => {
    const t = performance.now();
    const r = await killReplica(ctx, slotC);
    single.push(r.loss);
    return [outcome(8, r.checks, t, { detectionMs: r.timeline.detectionMs, failedOps: r.failed, ops: r.ops, loss: r.loss, data: { rejoinMs: r.rejoinMs } })];
  });

  await scenario([9], async () => {
    const t = performance.now();
    const r = await killShard(ctx, slotC, slotA, snap.coverage);
    double.push(r.dataLoss);
    const o = outcome(9, r.checks, t, { detectionMs: r.timeline.detectionMs, loss: r.dataLoss, data: { recoveryMs: r.recoveryMs, requireFullCoverage: r.configured } });
    o.notes.push(`both copies of the shard were killed: ${r.dataLoss.lostAcked} of ${r.dataLoss.acked} WAIT-acked keys lost (expected without persistence; reported, not a verdict)`);
    return [o];
  });

  await scenario([10], async () => {
    const t = performance.now();
    const m = await faultCycle(ctx, slotA, 'pause', 'pause');
    single.push(m.data, m.workload);
    const checks = [...timingChecks(ctx, m), ...dataChecks(m), ...clientChecks(ctx, m), ...rejoinChecks(m, 'resumed (SIGCONT)')];
    return [outcome(10, checks, t, faultFigures(m))];
  });

  outcomes.sort((a, b) => a.id - b.id);
  return { outcomes, reps, totals: { single: addLoss(single), double: addLoss(double) } as RunTotals };
}

function faultFigures(m: FaultMeasure): Partial<ScenarioOutcome> {
  const w = m.workers;
  return {
    detectionMs: m.timeline.detectionMs,
    promotionMs: m.timeline.promotionMs,
    clusterOkMs: m.timeline.clusterOkMs,
    errorWindowMs: w[0].window.maxStallMs,
    failedOps: w.reduce((a, x) => a + x.window.failed, 0),
    ops: w.reduce((a, x) => a + x.window.ops, 0),
    loss: addLoss([m.data, m.workload]),
    data: { rejoinMs: m.rejoin.ms, otherShards: w.slice(1).map((x) => ({ label: x.label, ...x.window })) },
  };
}
