import { performance } from 'node:perf_hooks';
import { contextOf, DevstackError, getCredentials, metricFromTrials, reportDir, startResult, type CommonOptions, type TaskResult } from '@devstack/core';
import { StackLayout } from '@devstack/runtime';
import { ClusterControl } from './cluster';
import type { FailoverContext } from './context';
import { runScenarios } from './run';
import { healthProblems, restoreCluster, snapshot, type Snapshot } from './restore';
import { repetitionTable, resultChecks, scenarioTable, summarizeReps } from './report';
import { writePlaybook } from './playbook';
import { clusterClient } from './workload';

export interface FailoverOptions extends CommonOptions {
  /** Fewer repetitions of scenario 2 (1 instead of 5); every scenario still runs. */
  quick?: boolean;
  /** Repetitions of scenario 2 (kill -9 a master). Default 5, or 1 with --quick. */
  repeat?: number;
  /** Failover budget: kill to cluster_state:ok on every survivor (ms). Default 5000. */
  budgetMs?: number;
  /** cluster-node-timeout for the run (ms). Default: config redis.nodeTimeoutMs (2000). */
  nodeTimeoutMs?: number;
  /** Polling interval while a failover is in progress (ms, at most 50). Default 50. */
  pollMs?: number;
  /** Keys written with WAIT to the victim before each fault. Default 50. */
  dataKeys?: number;
  /** Regenerate .devstack/report/FAILOVER_PLAYBOOK.md from this run. Default true. */
  playbook?: boolean;
}

export const FAILOVER_DEFAULTS = { repeat: 5, quickRepeat: 1, budgetMs: 5000, pollMs: 50, dataKeys: 50, commandTimeoutMs: 1000 } as const;

function bad(message: string, fix: string): never {
  throw new DevstackError('BAD_INPUT', message, { fix });
}

export function resolveFailoverOptions(options: FailoverOptions, configTimeout: number) {
  const repeat = options.repeat ?? (options.quick ? FAILOVER_DEFAULTS.quickRepeat : FAILOVER_DEFAULTS.repeat);
  const budgetMs = options.budgetMs ?? FAILOVER_DEFAULTS.budgetMs;
  const pollMs = options.pollMs ?? FAILOVER_DEFAULTS.pollMs;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? configTimeout;
  const dataKeys = options.dataKeys ?? FAILOVER_DEFAULTS.dataKeys;
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 50) bad(`--repeat must be an integer 1..50, got ${repeat}.`, 'Example: --repeat 5');
  if (!(budgetMs > 0)) bad(`--budget-ms must be positive, got ${budgetMs}.`, 'Example: --budget-ms 5000');
  if (!(pollMs >= 1 && pollMs <= 50)) bad(`--poll-ms must be between 1 and 50, got ${pollMs}: coarser polling cannot time a failover.`, 'Example: --poll-ms 50');
  if (!Number.isInteger(nodeTimeoutMs) || nodeTimeoutMs < 100 || nodeTimeoutMs > 60000) bad(`--node-timeout-ms must be an integer 100..60000, got ${nodeTimeoutMs}.`, 'Example: --node-timeout-ms 2000');
  if (!Number.isInteger(dataKeys) || dataKeys < 1 || dataKeys > 5000) bad(`--data-keys must be an integer 1..5000, got ${dataKeys}.`, 'Example: --data-keys 50');
  return { repeat, budgetMs, pollMs, nodeTimeoutMs, dataKeys, commandTimeoutMs: FAILOVER_DEFAULTS.commandTimeoutMs };
}

/**
 * `redis:failover`: the 11 failover scenarios against the live local cluster, each with its own verdict
 * and timings. Refuses to start on an unhealthy cluster (exit 3) and always restores a healthy 3+3
 * cluster at the end, also when a scenario fails or the run is interrupted.
 */
export async function failover(options: FailoverOptions, signal?: AbortSignal): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const o = resolveFailoverOptions(options, config.redis.nodeTimeoutMs);
  if (config.provider !== 'local') {
    throw new DevstackError('UNSUPPORTED', `redis:failover kills and restarts cluster nodes by pid; the ${config.provider} provider gives it no processes.`, { fix: 'Run it against the embedded stack: --provider local.' });
  }
  const creds = await getCredentials(config, 'redis');
  const ctl = new ClusterControl(config, new StackLayout(config), creds.password);
  const result = startResult('redis', 'failover', { profile: config.profile });
  // Ctrl-C (the runner aborts its signal; a bare process gets our own SIGINT handler) stops the
  // scenario in progress; the restore below still runs.
  const abort = new AbortController();
  const onAbort = () => abort.abort(signal?.reason ?? new DevstackError('ENVIRONMENT', 'Interrupted.'));
  signal?.addEventListener('abort', onAbort, { once: true });
  const onSigint = () => onAbort();
  process.on('SIGINT', onSigint);
  let snap: Snapshot | undefined;
  // Run state the probes change and the restore undoes: on the context, not in module variables.
  const migratingSlots = new Map<number, number>();
  const client = clusterClient(ctl, creds.password, { commandTimeoutMs: o.commandTimeoutMs });
  try {
    const problems = await healthProblems(ctl);
    if (problems.length) {
      throw new DevstackError('SERVICE_DOWN', `The Redis cluster is not healthy, so failover results would mean nothing: ${problems.join('; ')}.`, {
        fix: 'Bring it back with: node packages/stack/dist/cli.js up (or restart --service redis), then run the suite again.',
        details: { problems },
      });
    }
    snap = await snapshot(ctl);
    const version = String(await ctl.call(ctl.ports[0], 'INFO', 'server')).match(/redis_version:(\S+)/)?.[1] ?? '?';
    result.server = { name: 'Redis Cluster', version };
    for (const p of ctl.ports) if (snap.nodeTimeout.get(p) !== o.nodeTimeoutMs) await ctl.call(p, 'CONFIG', 'SET', 'cluster-node-timeout', o.nodeTimeoutMs);
    const ctx: FailoverContext = {
      ctl,
      client,
      password: creds.password,
      progress,
      signal: abort.signal,
      run: `r${Date.now().toString(36)}`,
      ...o,
      opBoundMs: o.budgetMs + 2 * o.commandTimeoutMs,
      waitMs: 2000,
      migratingSlots,
    };
    const started = performance.now();
    const { outcomes, reps, totals } = await runScenarios(ctx, snap, o.repeat);
    result.tables.push(scenarioTable(outcomes), repetitionTable(reps));
    result.checks.push(...resultChecks(outcomes));
    const ok = reps.map((r) => r.clusterOkMs).filter((v): v is number => v !== undefined);
    const det = reps.map((r) => r.detectionMs).filter((v): v is number => v !== undefined);
    const pro = reps.map((r) => r.promotionMs).filter((v): v is number => v !== undefined);
    if (ok.length) result.metrics.push(metricFromTrials('failover: kill -9 master to cluster_state:ok', 'ms', 'lower', ok, { slo: o.budgetMs }));
    if (pro.length) result.metrics.push(metricFromTrials('failover: kill -9 master to replica promoted', 'ms', 'lower', pro));
    if (det.length) result.metrics.push(metricFromTrials('failover: kill -9 master to failure detected', 'ms', 'lower', det));
    const s = summarizeReps(reps, 'clusterOkMs');
    result.notes.push(
      `scenario 2 over ${reps.length} repetition(s) at cluster-node-timeout ${o.nodeTimeoutMs} ms: median ${s.median === undefined ? '-' : Math.round(s.median)} ms, worst ${s.worst === undefined ? '-' : Math.round(s.worst)} ms to cluster_state:ok (budget ${o.budgetMs} ms)` +
        (s.missing ? `; ${s.missing} never recovered` : ''),
      `acknowledged writes lost across all single-failure scenarios: ${totals.single.lostAcked} of ${totals.single.acked} (WAIT-acked: ${totals.single.lostReplicated} of ${totals.single.replicatedAcked})`,
      `scenario 9 (master and replica both killed, no persistence configured): ${totals.double.lostAcked} of ${totals.double.acked} WAIT-acked keys of that shard lost`,
    );
    result.data = { options: { ...o, quick: !!options.quick }, outcomes, repetitions: reps, totals, scenariosMs: Math.round(performance.now() - started) };
  } catch (err) {
    if (abort.signal.aborted) {
      result.state = 'aborted';
      result.error = { code: 'ENVIRONMENT', message: 'Interrupted: the cluster was restored; results are partial.' };
    } else if (err instanceof DevstackError && err.code === 'SERVICE_DOWN' && !snap) {
      throw err;
    } else {
      result.state = 'errored';
      result.error = { code: err instanceof DevstackError ? err.code : 'ENVIRONMENT', message: (err as Error).message };
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    signal?.removeEventListener('abort', onAbort);
    client.disconnect();
    if (snap) {
      progress('restoring a healthy 3+3 cluster');
      const actions = await restoreCluster(ctl, snap, config.redis.nodeTimeoutMs, progress, migratingSlots).catch((e: Error) => [`restore FAILED: ${e.message}`]);
      result.notes.push(`restore: ${actions.length ? actions.join(', ') : 'nothing to do'}`);
      if (actions.some((a) => a.startsWith('restore FAILED'))) result.checks.push({ name: 'cluster restored to healthy 3+3', passed: false, observed: actions.join('; ') });
    }
    ctl.close();
  }
  const final = result.finish();
  if (options.playbook !== false && final.state === 'completed') final.notes!.push(`playbook: ${writePlaybook(reportDir(config.stateRoot), final)}`);
  return final;
}
