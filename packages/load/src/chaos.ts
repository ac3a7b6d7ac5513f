import { contextOf, DevstackError, endpointsOf, getCredentials, isAlive, readPid, sleep, startResult, type BenchOptions, type LoadedConfig, type TaskResult } from '@devstack/core';
import { providerFor, redisClient, redisPidName, StackLayout, startRedisNode } from '@devstack/runtime';
import { readCapacityPlan } from './capacity-plan';
import { epochSnapshot } from './cluster-epochs';
import { mixKneeOf } from './run';
import { openLoopAgent, runOpenLoop, type OpenLoopResult, type TimeBucket } from './open-loop';

export const FAULTS = ['redis-master', 'mysql-restart', 'api-stop'] as const;
export type FaultName = (typeof FAULTS)[number];

export interface ChaosOptions extends BenchOptions {
  /** Arrival rate of the steady run; default half the mix knee of the latest load:capacity result. */
  rate?: number;
  faults?: string[];
  /** Seconds of steady traffic before each fault. */
  leadSeconds?: number;
}

/** What api clients saw around one fault (times in ms since the fault was injected). */
export interface FaultOutcome {
  fault: FaultName;
  /** Fault steps as they happened: "kill -9 :17301", "cluster_state ok", "node restarted". */
  events: { atMs: number; label: string }[];
  rate: number;
  ops: number;
  failed: number;
  errorKinds: Record<string, number>;
  errorsByRoute: Record<string, number>;
  /** First failed request (its intended send time) and last failed request (when it failed), of those failing after the fault. */
  firstErrorMs?: number;
  lastErrorMs?: number;
  errorWindowMs?: number;
  /** Requests that had already failed when the fault was injected (not in the window: the run was not steady). */
  failedBeforeFault: number;
  /** From the fault until p95 was under the SLO with no error, for the rest of the run. */
  backToSloMs?: number;
  p99DuringMs: number;
  buckets: TimeBucket[];
  /** The unjudged traffic just before this fault's run (same rate, same connections). */
  warmup?: { seconds: number; failed: number; p95: number; routes?: { route: string; failed: number; p95: number }[] };
}

const BUCKET_MS = 500;

/**
 * Seconds of traffic at the run's rate before each fault's measured run, on the same connections and
 * not judged: the run must start steady. Without it, the first run of 2026-12-03 (straight after
 * npm test) opened with a 5 s stall in its first 500 ms bucket (p95 4.7 s, 16 timeouts), before
 * the Redis master was killed, and the fault's error window counted it (5,549 ms).
 */
export const WARMUP_SECONDS = 2;
/** How long each fault's run lasts after the fault (bounded: the whole task stays near a minute). */
const AFTER_S: Record<FaultName, number> = { 'redis-master': 12, 'mysql-restart': 10, 'api-stop': 5 };

/**
 * The warning for a warm-up that was not steady (any failure, or p95 at or over the SLO), naming the
 * routes that were not: one slow backend and a stalled api (every route slow) read differently.
 */
export function unsteadyWarmup(fault: string, warm: Pick<OpenLoopResult, 'failed' | 'latency' | 'routes'>, sloP95Ms: number): string | undefined {
  if (warm.failed === 0 && warm.latency.p95 < sloP95Ms) return undefined;
  const bad = warm.routes.filter((r) => r.failed > 0 || !(r.latency.p95 < sloP95Ms));
  const byRoute = bad.map((r) => `${r.route} p95 ${r.latency.p95} ms${r.failed ? `, ${r.failed} failed` : ''}`).join('; ');
  return (
    `${fault}: the ${WARMUP_SECONDS} s warm-up before the run was not steady (${warm.failed} failed, p95 ${warm.latency.p95} ms against the SLO ${sloP95Ms} ms; ` +
    `${bad.length} of ${warm.routes.length} routes: ${byRoute || 'none alone'}): errors in the run before the fault may not be the fault's. ` +
    `The api's log (.devstack/logs/api.log) says whether its event loop was blocked or a backend client was rebuilt then.`
  );
}

/** Half the mix knee of the newest load:capacity result, if there is one. */
export function halfKneeOf(stateRoot: string): number | undefined {
  const k = mixKneeOf(stateRoot);
  return k && k.knee > 0 ? Math.max(1, Math.round(k.knee / 2)) : undefined;
}

/** Analyse one fault's run: error window, kinds, and when p95 came back under the SLO for good. */
export function analyseFault(fault: FaultName, r: OpenLoopResult, faultAtMs: number, sloP95Ms: number, events: { atMs: number; label: string }[]): FaultOutcome {
  const rel = (t: number) => Math.round(t - faultAtMs);
  // A request that failed before the fault was injected did not fail because of it: counted apart,
  // outside the error window.
  const caused = r.failures.filter((f) => f.doneMs >= faultAtMs);
  const first = caused.length ? Math.min(...caused.map((f) => f.sentMs)) : undefined;
  const last = caused.length ? Math.max(...caused.map((f) => f.doneMs)) : undefined;
  // Back to the SLO: the first bucket after the fault and after the last failure from which two
  // consecutive buckets (1 s) have p95 under the SLO and no error.
  let back: number | undefined;
  const healthy = (b: TimeBucket) => b.failed === 0 && b.ops > 0 && b.p95 < sloP95Ms;
  const after = r.buckets.filter((b) => b.atMs >= faultAtMs - BUCKET_MS && (last === undefined || b.atMs + BUCKET_MS > last));
  for (let i = 0; i + 1 < after.length; i++) {
    if (healthy(after[i]) && healthy(after[i + 1])) {
      back = Math.max(0, after[i].atMs - faultAtMs);
      break;
    }
  }
  const errorsByRoute = Object.fromEntries(r.routes.filter((x) => x.failed > 0).map((x) => [x.route, x.failed]));
  const during = r.buckets.filter((b) => b.atMs >= faultAtMs - BUCKET_MS && (last === undefined || b.atMs <= last));
  return {
    fault,
    events: events.map((e) => ({ atMs: rel(e.atMs), label: e.label })),
    rate: r.rate,
    ops: r.ops,
    failed: r.failed,
    errorKinds: r.errorKinds,
    errorsByRoute,
    firstErrorMs: first === undefined ? undefined : rel(first),
    lastErrorMs: last === undefined ? undefined : rel(last),
    errorWindowMs: first === undefined || last === undefined ? undefined : Math.round(last - first),
    failedBeforeFault: r.failures.length - caused.length,
    backToSloMs: back === undefined ? undefined : Math.round(back),
    p99DuringMs: Math.max(0, ...during.map((b) => b.p99)),
    buckets: r.buckets,
  };
}

interface FaultContext {
  config: LoadedConfig;
  layout: StackLayout;
  /** performance.now() of the open-loop run's t = 0. */
  t0: () => number;
  event: (label: string) => void;
  signal?: AbortSignal;
  progress: (m: string) => void;
}

async function redisPassword(config: LoadedConfig): Promise<string> {
  return (await getCredentials(config, 'redis', { onWarning: () => undefined })).password;
}

async function clusterOk(config: LoadedConfig, password: string, ports: number[]): Promise<boolean> {
  const oks = await Promise.all(
    ports.map(async (port) => {
      const c = redisClient({ host: config.host, port }, password);
      try {
        await c.connect();
        return /cluster_state:ok/.test(String(await c.call('CLUSTER', 'INFO')));
      } catch {
        return false;
      } finally {
        c.disconnect();
      }
    }),
  );
  return oks.every(Boolean);
}

async function until(check: () => Promise<boolean>, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (signal?.aborted) return false;
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

/**
 * kill -9 one Redis master (pid file of this stack), wait for cluster_state ok on the survivors,
 * start the node again (it rejoins as a replica), and fail back once it is in sync so the stack
 * ends in the layout it started with.
 */
async function redisMasterKill(ctx: FaultContext): Promise<() => Promise<void>> {
  const password = await redisPassword(ctx.config);
  const ports = endpointsOf(ctx.config).redis.nodes.map((n) => n.port);
  const snap = await epochSnapshot(ctx.config);
  const victim = snap.masters[0];
  if (victim === undefined) throw new DevstackError('SERVICE_DOWN', 'No Redis master answered ROLE.');
  const index = ports.indexOf(victim);
  const pid = readPid(ctx.layout.pid(redisPidName(index)));
  if (!pid || !isAlive(pid)) throw new DevstackError('SERVICE_DOWN', `Redis master :${victim} has no live process in its pid file.`);
  process.kill(pid, 'SIGKILL');
  ctx.event(`kill -9 redis master :${victim}`);
  const survivors = ports.filter((p) => p !== victim);
  // Failed over: a survivor took the victim's slots (three masters among the survivors) and the cluster is ok.
  const failedOver = async () => {
    const now = await epochSnapshot(ctx.config);
    return now.masters.filter((p) => p !== victim).length === 3 && (await clusterOk(ctx.config, password, survivors));
  };
  if (await until(failedOver, 15000, ctx.signal)) ctx.event('replica promoted, cluster_state ok on the survivors');
  else ctx.event('no failover within 15 s');
  await startRedisNode(ctx.config, ctx.layout, index, password, ctx.signal);
  ctx.event(`:${victim} restarted (rejoins as replica)`);
  // Fail back after the run (outside the measured window): the restarted node takes its slots again.
  return async () => {
    const c = redisClient({ host: ctx.config.host, port: victim }, password);
    try {
      await c.connect();
      const synced = await until(async () => /master_link_status:up/.test(String(await c.call('INFO', 'replication'))), 20000);
      if (synced && /^role:slave/m.test(String(await c.call('INFO', 'replication')))) {
        await c.call('CLUSTER', 'FAILOVER');
        await until(async () => /^role:master/m.test(String(await c.call('INFO', 'replication'))), 10000);
      }
      await until(() => clusterOk(ctx.config, password, ports), 15000);
    } finally {
      c.disconnect();
    }
  };
}

/** Stop and start MariaDB through the stack provider (its own stop, then its own start with health checks). */
async function mysqlRestart(ctx: FaultContext): Promise<() => Promise<void>> {
  ctx.event('mysql: provider restart (stop)');
  await providerFor(ctx.config).restart('mysql', { signal: ctx.signal });
  ctx.event('mysql: healthy again');
  return async () => undefined;
}

/** SIGSTOP the api for 1 s (its own pid file), SIGCONT always follows. */
async function apiStop(ctx: FaultContext): Promise<() => Promise<void>> {
  const pid = readPid(ctx.layout.pid('api'));
  if (!pid || !isAlive(pid)) throw new DevstackError('SERVICE_DOWN', 'The api has no live process in .devstack/run/api.pid.');
  process.kill(pid, 'SIGSTOP');
  ctx.event('api SIGSTOP');
  try {
    await sleep(1000);
  } finally {
    process.kill(pid, 'SIGCONT');
    ctx.event('api SIGCONT');
  }
  return async () => undefined;
}

const INJECT: Record<FaultName, (ctx: FaultContext) => Promise<() => Promise<void>>> = { 'redis-master': redisMasterKill, 'mysql-restart': mysqlRestart, 'api-stop': apiStop };

/** `nx run load:chaos`: each fault during a steady open-loop run at about half the mix knee. */
export async function chaosTask(options: ChaosOptions, signal?: AbortSignal): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const result = startResult('load', 'chaos', { profile: config.profile });
  const plan = readCapacityPlan(config.root);
  const mix = plan.routes.find((r) => r.name === 'mix');
  if (!mix) throw new DevstackError('BAD_CONFIG', 'k6/capacity.json has no "mix" route.', { fix: 'Restore k6/capacity.json from git.' });
  const rate = options.rate ?? halfKneeOf(config.stateRoot);
  if (!rate) throw new DevstackError('BAD_INPUT', 'No arrival rate: no load:capacity result with a mix knee yet.', { fix: 'Run npx nx run load:capacity first, or pass --rate <req/s>.' });
  const faults = (options.faults?.length ? options.faults : [...FAULTS]) as FaultName[];
  const unknown = faults.filter((f) => !(FAULTS as readonly string[]).includes(f));
  if (unknown.length) throw new DevstackError('BAD_INPUT', `Unknown fault(s): ${unknown.join(', ')}.`, { fix: `Faults: ${FAULTS.join(', ')}.` });
  if (config.provider !== 'local') throw new DevstackError('BAD_INPUT', `load:chaos kills and restarts servers: it needs the local provider, not ${config.provider}.`, { fix: 'Run it against the embedded stack (provider local).' });
  const url = endpointsOf(config).api.url.replace(/\/+$/, '');
  const layout = new StackLayout(config);
  const lead = options.leadSeconds ?? 3;
  const outcomes: FaultOutcome[] = [];
  const epochsBefore = await epochSnapshot(config).catch(() => undefined);
  try {
    for (const fault of faults) {
      if (signal?.aborted) break;
      progress(`${fault}: ${rate} req/s over ${mix.paths.length} paths, fault after ${lead} s`);
      const agent = openLoopAgent(plan.search.connections);
      const events: { atMs: number; label: string }[] = [];
      let t0 = 0;
      let faultAt = 0;
      let restore: (() => Promise<void>) | undefined;
      let injected: Promise<void> = Promise.resolve();
      const ctx: FaultContext = { config, layout, t0: () => t0, event: (label) => events.push({ atMs: performance.now() - t0, label }), signal, progress };
      try {
        const warm = await runOpenLoop({ baseUrl: url, paths: mix.paths, rate, seconds: WARMUP_SECONDS, timeoutMs: 5000, agent, signal });
        const unsteady = unsteadyWarmup(fault, warm, mix.sloP95Ms);
        if (unsteady) result.warnings!.push(unsteady);
        const run = runOpenLoop({
          baseUrl: url,
          paths: mix.paths,
          rate,
          seconds: lead + AFTER_S[fault],
          timeoutMs: 5000,
          agent,
          bucketMs: BUCKET_MS,
          signal,
          onStart: (t) => {
            t0 = t;
            injected = sleep(lead * 1000, signal).then(async () => {
              faultAt = performance.now() - t0;
              restore = await INJECT[fault](ctx);
            });
          },
        });
        const [r] = await Promise.all([run, injected.catch((err: unknown) => void events.push({ atMs: performance.now() - t0, label: `fault failed: ${(err as Error).message}` }))]);
        await injected.catch(() => undefined);
        const o = analyseFault(fault, r, faultAt, mix.sloP95Ms, events);
        o.warmup = { seconds: WARMUP_SECONDS, failed: warm.failed, p95: warm.latency.p95, routes: warm.routes.map((x) => ({ route: x.route, failed: x.failed, p95: x.latency.p95 })) };
        outcomes.push(o);
        progress(`${fault}: ${o.failed} failed (${Object.entries(o.errorKinds).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}), error window ${o.errorWindowMs ?? 0} ms, back to SLO after ${o.backToSloMs ?? '-'} ms`);
      } finally {
        agent.destroy();
        if (restore) await restore().catch((err: unknown) => result.warnings!.push(`${fault}: restoring failed: ${(err as Error).message}`));
      }
    }
  } finally {
    // Whatever happened: bring every service of the stack back (idempotent on running services).
    await providerFor(config).up(undefined, { signal: undefined }).catch((err: unknown) => result.warnings!.push(`stack up after chaos failed: ${(err as Error).message}`));
  }
  const status = await providerFor(config).status();
  const epochsAfter = await epochSnapshot(config).catch(() => undefined);

  const budget = 5000;
  result.tables!.push({
    title: `Faults under open-loop load at ${rate} req/s (mix; ms since the fault)`,
    head: ['fault', 'requests', 'failed', 'failed before the fault', 'errors by kind', 'errors by route', 'first error', 'last error', 'error window', 'p99 during', 'back to SLO'],
    rows: outcomes.map((o) => [
      o.fault,
      o.ops,
      o.failed,
      o.failedBeforeFault,
      Object.entries(o.errorKinds).map(([k, n]) => `${k}: ${n}`).join(', ') || '-',
      Object.entries(o.errorsByRoute).map(([k, n]) => `${k}: ${n}`).join(', ') || '-',
      o.firstErrorMs ?? '-',
      o.lastErrorMs ?? '-',
      o.errorWindowMs ?? 0,
      o.p99DuringMs,
      o.backToSloMs ?? 'not within the run',
    ]),
  });
  result.tables!.push({ title: 'Fault timelines (ms since the fault)', head: ['fault', 'event', 't ms'], rows: outcomes.flatMap((o) => o.events.map((e) => [o.fault, e.label, e.atMs])) });
  for (const o of outcomes) {
    if (o.failedBeforeFault > 0) result.warnings!.push(`${o.fault}: ${o.failedBeforeFault} request(s) had already failed before the fault was injected: the stack was not steady (not counted in the error window).`);
    result.checks.push({ name: `${o.fault}: back under the SLO (p95 < ${mix.sloP95Ms} ms, no errors) before the run ended`, passed: o.backToSloMs !== undefined, observed: o.backToSloMs === undefined ? 'no' : `${o.backToSloMs} ms after the fault` });
    if (o.fault === 'redis-master') result.checks.push({ name: `redis-master: client error window below the failover budget ${budget} ms`, passed: (o.errorWindowMs ?? 0) < budget, expected: `< ${budget} ms`, observed: `${o.errorWindowMs ?? 0} ms` });
    if (o.events.some((e) => e.label.startsWith('fault failed'))) result.checks.push({ name: `${o.fault}: fault injected`, passed: false, observed: o.events.find((e) => e.label.startsWith('fault failed'))!.label });
  }
  const unhealthy = status.filter((s) => !s.healthy);
  result.checks.push({ name: 'stack healthy at the end', passed: unhealthy.length === 0, observed: unhealthy.length ? unhealthy.map((s) => `${s.service}: ${s.detail ?? 'unhealthy'}`).join('; ') : `${status.length} services healthy` });
  if (epochsAfter) result.checks.push({ name: 'Redis cluster back to 3 masters', passed: epochsAfter.masters.length === 3 && epochsAfter.unreachable.length === 0, observed: `masters ${epochsAfter.masters.join(',')}${epochsAfter.unreachable.length ? `, unreachable ${epochsAfter.unreachable.join(',')}` : ''}` });
  result.data = { rate, outcomes, epochs: { before: epochsBefore, after: epochsAfter } };
  return result.finish();
}
