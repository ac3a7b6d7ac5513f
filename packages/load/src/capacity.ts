import { contextOf, DevstackError, endpointsOf, median as medianOf, metricFromTrials, sleep, startResult, type BenchOptions, type LatencySnapshot, type Metric, type TaskResult } from '@devstack/core';
import { readCapacityPlan, routeSlug, stepSecondsAt, type CapacityPlan, type CapacityRoute } from './capacity-plan';
import { epochSnapshot, failoversBetween, type EpochSnapshot } from './cluster-epochs';
import { searchKnee, type StepPhase } from './knee-search';
import { openLoopAgent, runOpenLoop, type GeneratorUsage, type RouteStats } from './open-loop';
import { ResourceSampler, type ResourceUsage } from '@devstack/runtime';

export interface CapacityOptions extends BenchOptions {
  /** Only these routes of k6/capacity.json (names: health, postgres, ..., mix). */
  routes?: string[];
  /** Override search settings (shorter steps for a smoke run: every step lasts stepSeconds). */
  stepSeconds?: number;
  bisect?: number;
  /** Base URL of the api (default: the stack's api endpoint). */
  url?: string;
  /** Whole searches one after the other (default 1): the knees' spread across them is reported and checked. */
  runs?: number;
}

/** One open-loop step of a route's search, with what every process used meanwhile. */
export interface CapacityStep {
  rate: number;
  achievedRate: number;
  seconds: number;
  ops: number;
  failed: number;
  errorRate: number;
  errorKinds: Record<string, number>;
  latency: LatencySnapshot;
  /** Per path (the mix has six). */
  routes: RouteStats[];
  generator: GeneratorUsage;
  /**
   * The step measured the generator as much as the stack: it used ~a whole core, or its own sends were
   * late by half the route's SLO or more for 5% of them (a machine too busy to schedule it on time).
   */
  generatorBound: boolean;
  resources: ResourceUsage[];
}

export interface RouteCapacity {
  route: string;
  paths: string[];
  sloP95Ms: number;
  knee: number;
  atKnee?: CapacityStep;
  firstFail?: number;
  failReason?: string;
  stoppedBy?: 'maxRate' | 'minRate' | 'budget' | 'aborted';
  /** The first failing step had the generator at ~one core: the knee is a lower bound of the stack's. */
  generatorBound: boolean;
  steps: (CapacityStep & { phase: StepPhase; passed: boolean; reason?: string })[];
}

/** CPU of one core counted as "the generator is the bottleneck" (Node sends from one thread). */
export const GENERATOR_BOUND_PCT = 90;

const pctRound = (v: number) => Math.round(v * 10000) / 100;

/** The knee search of every route, one after the other, on one time budget. */
export async function capacitySearch(options: CapacityOptions, signal?: AbortSignal): Promise<{ plan: CapacityPlan; routes: RouteCapacity[]; epochs: { before?: EpochSnapshot; after?: EpochSnapshot }; seconds: number }> {
  const { config, progress } = contextOf(options);
  const plan = readCapacityPlan(config.root);
  if (options.stepSeconds !== undefined) plan.search.stepSeconds = plan.search.maxStepSeconds = options.stepSeconds;
  if (options.bisect !== undefined) plan.search.bisect = options.bisect;
  let routes: CapacityRoute[] = plan.routes;
  if (options.routes?.length) {
    const unknown = options.routes.filter((r) => !plan.routes.some((x) => x.name === r));
    if (unknown.length) throw new DevstackError('BAD_INPUT', `Unknown capacity route(s): ${unknown.join(', ')}.`, { fix: `Routes of k6/capacity.json: ${plan.routes.map((r) => r.name).join(', ')}.` });
    routes = plan.routes.filter((r) => options.routes!.includes(r.name));
  }
  const url = (options.url ?? endpointsOf(config).api.url).replace(/\/+$/, '');
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3000) });
    if (res.status !== 200) throw new Error(`GET /health answered ${res.status}`);
  } catch (err) {
    throw new DevstackError('SERVICE_DOWN', `The api at ${url} is not answering: ${(err as Error).message}.`, { cause: err, fix: 'Start the stack with the api: npx nx run stack:up.' });
  }
  const s = plan.search;
  const epochs: { before?: EpochSnapshot; after?: EpochSnapshot } = {};
  epochs.before = await epochSnapshot(config).catch(() => undefined);
  const t0 = performance.now();
  const deadline = t0 + s.budgetSeconds * 1000;
  const out: RouteCapacity[] = [];
  for (const [i, route] of routes.entries()) {
    if (signal?.aborted) break;
    // Each route gets an equal share of what is left, so a slow route cannot starve the ones after it.
    const routeDeadline = performance.now() + (deadline - performance.now()) / (routes.length - i);
    const agent = openLoopAgent(s.connections);
    const measure = async (rate: number, phase: StepPhase): Promise<CapacityStep> => {
      const seconds = stepSecondsAt(s, rate);
      const sampler = new ResourceSampler(config.stateRoot, 500).start();
      const r = await runOpenLoop({ baseUrl: url, paths: route.paths, rate, seconds, settleSeconds: s.settleSeconds, timeoutMs: s.timeoutMs, agent, signal }).catch(async (err: unknown) => {
        await sampler.stop();
        throw err;
      });
      const resources = await sampler.stop();
      const generatorBound = r.generator.cpuPct >= GENERATOR_BOUND_PCT || r.generator.sendLagP95Ms >= route.sloP95Ms / 2;
      progress(`${route.name}: ${phase} ${rate} req/s for ${seconds.toFixed(1)} s${s.settleSeconds ? ` (after ${s.settleSeconds} s unjudged)` : ''}: achieved ${r.achievedRate}, p95 ${r.latency.p95} ms, errors ${pctRound(r.errorRate)}%, generator CPU ${r.generator.cpuPct}%, send lag p95 ${r.generator.sendLagP95Ms} ms`);
      await sleep(s.pauseMs);
      return { rate, achievedRate: r.achievedRate, seconds: r.durationS, ops: r.ops, failed: r.failed, errorRate: r.errorRate, errorKinds: r.errorKinds, latency: r.latency, routes: r.routes, generator: r.generator, generatorBound, resources };
    };
    try {
      if (s.warmupSeconds > 0) await runOpenLoop({ baseUrl: url, paths: route.paths, rate: s.startRate, seconds: s.warmupSeconds, timeoutMs: s.timeoutMs, agent, signal });
      const k = await searchKnee(s, route.sloP95Ms, measure, () => !signal?.aborted && performance.now() < routeDeadline);
      const failing = k.steps.find((x) => !x.passed && x.step.rate === k.firstFail);
      out.push({
        route: route.name,
        paths: route.paths,
        sloP95Ms: route.sloP95Ms,
        knee: k.knee,
        atKnee: k.atKnee,
        firstFail: k.firstFail,
        failReason: failing?.reason,
        stoppedBy: signal?.aborted ? 'aborted' : k.stoppedBy,
        generatorBound: !!failing?.step.generatorBound,
        steps: k.steps.map((x) => ({ ...x.step, phase: x.phase, passed: x.passed, reason: x.reason })),
      });
    } finally {
      agent.destroy();
    }
    progress(`${route.name}: knee ${out[out.length - 1].knee} req/s (SLO p95 < ${route.sloP95Ms} ms)`);
  }
  epochs.after = await epochSnapshot(config).catch(() => undefined);
  return { plan, routes: out, epochs, seconds: Math.round(performance.now() - t0) / 1000 };
}

/** Knees as metrics regress can guard: capacity_<route>_knee, req/s, higher is better, over trials. */
export function kneeMetrics(trials: RouteCapacity[][]): Metric[] {
  const names = [...new Set(trials.flat().map((r) => r.route))];
  return names.map((name) => {
    const runs = trials.map((t) => t.find((r) => r.route === name)).filter((r): r is RouteCapacity => !!r);
    const last = runs[runs.length - 1];
    const at = last.atKnee?.latency;
    return metricFromTrials(`capacity_${routeSlug(name)}_knee`, 'req/s', 'higher', runs.map((r) => r.knee), {
      ...(at ? { p50: at.p50, p95: at.p95, p99: at.p99 } : {}),
      labels: { paths: last.paths.join(','), sloP95Ms: last.sloP95Ms, generatorBound: String(runs.some((r) => r.generatorBound)), engine: 'builtin open-loop' },
    });
  });
}

/** How far the knees of one route spread over repeated searches. */
export interface KneeSpread {
  route: string;
  /** Per run, in order ("at least" knees at the cap count as the cap). */
  knees: number[];
  median: number;
  /** Largest distance of a run's knee from the median, % of the median (0 when the median is 0 and every knee is 0). */
  maxDeviationPct: number;
}

/** The spread of every route's knee over `runs` whole searches (routes in the first run's order). */
export function kneeSpread(runs: Pick<RouteCapacity, 'route' | 'knee'>[][]): KneeSpread[] {
  const names = [...new Set(runs.flat().map((r) => r.route))];
  return names.map((route) => {
    const knees = runs.map((run) => run.find((r) => r.route === route)?.knee).filter((k): k is number => k !== undefined);
    const median = medianOf(knees);
    const worst = Math.max(...knees.map((k) => Math.abs(k - median)));
    const maxDeviationPct = median > 0 ? Math.round((worst / median) * 1000) / 10 : worst === 0 ? 0 : Infinity;
    return { route, knees, median, maxDeviationPct };
  });
}

/** Knees of repeated searches agree when each is within this % of the route's median (issue 16: +-15%). */
export const KNEE_SPREAD_PCT = 15;

/** "2500", ">= 3000" (the cap: not searched above), "< 30" (failed at minRate). */
export function kneeText(r: Pick<RouteCapacity, 'knee' | 'stoppedBy' | 'firstFail'>): string {
  if (r.stoppedBy === 'maxRate') return `>= ${r.knee}`;
  if (r.stoppedBy === 'minRate' && r.knee === 0) return `< ${r.firstFail}`;
  return String(r.knee);
}

const cell = (u: ResourceUsage) => `${u.name} ${u.cpuAvgPct}% ${u.rssMaxMiB}M`;

/** `--quick` (npm start): the mixed route only (the whole api's knee) with one bisection step, unless routes or bisect are given. */
export function quickCapacityOptions(options: CapacityOptions): CapacityOptions {
  if (!options.quick) return options;
  return { ...options, routes: options.routes?.length ? options.routes : ['mix'], bisect: options.bisect ?? 1 };
}

/** `nx run load:capacity`: the knee of every route, its steps, and the servers' and generator's usage. */
export async function capacityTask(given: CapacityOptions, signal?: AbortSignal): Promise<TaskResult> {
  const options = quickCapacityOptions(given);
  const { config } = contextOf(options);
  const result = startResult('load', 'capacity', { profile: config.profile });
  if (given.quick) result.notes.push(`quick: routes ${options.routes!.join(', ')}, ${options.bisect} bisection step(s); the full search: npx nx run load:capacity`);
  const runCount = options.runs ?? 1;
  if (!Number.isInteger(runCount) || runCount < 1 || runCount > 10) throw new DevstackError('BAD_INPUT', `--runs must be a whole number from 1 to 10 (got ${options.runs}).`, { fix: 'e.g. --runs 3: three whole searches, one after the other, and the spread of their knees.' });
  const runs: Awaited<ReturnType<typeof capacitySearch>>[] = [];
  for (let i = 0; i < runCount && !signal?.aborted; i++) {
    if (runCount > 1) contextOf(options).progress(`capacity: run ${i + 1}/${runCount}`);
    runs.push(await capacitySearch(options, signal));
  }
  if (runs.length === 0) throw new DevstackError('ENVIRONMENT', 'Interrupted before the first capacity search.');
  const run = runs[runs.length - 1];
  result.metrics.push(...kneeMetrics(runs.map((r) => r.routes)));
  result.tables!.push({
    title: `Knees: highest open-loop arrival rate with p95 under the route's SLO and errors <= ${run.plan.search.maxErrorRate * 100}% (latency from the intended send time; a rate fails only when ${run.plan.search.retries + 1} steps in a row fail; bracket within ${run.plan.search.resolution * 100}%; not searched above ${run.plan.search.maxRate} req/s)`,
    head: ['route', 'SLO p95 ms', 'knee req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'first fail req/s', 'why', 'generator-bound', 'steps'],
    rows: run.routes.map((r) => [
      r.route,
      r.sloP95Ms,
      kneeText(r),
      r.atKnee?.latency.p50 ?? '-',
      r.atKnee?.latency.p95 ?? '-',
      r.atKnee?.latency.p99 ?? '-',
      r.atKnee ? `${pctRound(r.atKnee.errorRate)}%` : '-',
      r.firstFail ?? '-',
      r.failReason ?? r.stoppedBy ?? '-',
      r.generatorBound ? 'YES' : 'no',
      r.steps.length,
    ]),
  });
  if (runs.length > 1) {
    const spread = kneeSpread(runs.map((r) => r.routes));
    result.tables!.push({
      title: `Knee per run (${runs.length} whole searches, one after the other; ">=" at the cap of ${run.plan.search.maxRate} req/s counts as the cap); the tables below are the last run's`,
      head: ['route', ...runs.map((_, i) => `run ${i + 1}`), 'median', 'max deviation'],
      rows: spread.map((x) => [x.route, ...runs.map((r) => { const k = r.routes.find((y) => y.route === x.route); return k ? kneeText(k) : '-'; }), x.median, `${x.maxDeviationPct}%`]),
    });
    const off = spread.filter((x) => !(x.maxDeviationPct <= KNEE_SPREAD_PCT));
    result.checks.push({
      name: `every route's knee within +-${KNEE_SPREAD_PCT}% of its median over ${runs.length} runs`,
      passed: off.length === 0,
      expected: `max deviation <= ${KNEE_SPREAD_PCT}%`,
      observed: off.length ? off.map((x) => `${x.route} ${x.knees.join('/')} (${x.maxDeviationPct}%)`).join('; ') : spread.map((x) => `${x.route} ${x.maxDeviationPct}%`).join(', '),
    });
  }
  result.tables!.push({
    title: 'Every step (CPU % of one core averaged over the step, peak RSS)',
    head: ['route', 'phase', 'rate', 'achieved', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'verdict', 'generator (CPU, RSS, send lag)', 'servers'],
    rows: run.routes.flatMap((r) =>
      r.steps.map((x) => [r.route, x.phase, x.rate, x.achievedRate, x.latency.p50, x.latency.p95, x.latency.p99, `${pctRound(x.errorRate)}%`, x.passed ? 'pass' : x.reason ?? 'fail', `${x.generator.cpuPct}% ${x.generator.rssMaxMiB}M lag p95 ${x.generator.sendLagP95Ms} max ${x.generator.maxSendLagMs} ms${x.generatorBound ? ' BOUND' : ''}`, x.resources.map(cell).join(', ')]),
    ),
  });
  const mix = run.routes.find((r) => r.route === 'mix');
  if (mix?.atKnee) {
    result.tables!.push({
      title: `mix at its knee (${mix.knee} req/s): per path`,
      head: ['path', 'ops', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'],
      rows: mix.atKnee.routes.map((p) => [p.route, p.ops, p.latency.p50, p.latency.p95, p.latency.p99, p.failed]),
    });
  }
  for (const [i, each] of runs.entries()) {
    for (const r of each.routes) {
      const tag = runs.length > 1 ? `run ${i + 1}, ` : '';
      if (r.generatorBound) result.warnings!.push(`${tag}${r.route}: when the route failed the load generator was at >= ${GENERATOR_BOUND_PCT}% of one core or late on 5% of its sends by >= half the SLO (${r.sloP95Ms / 2} ms): its knee (${kneeText(r)} req/s) is a lower bound; run k6/capacity.js from another machine, or on a quiet one, for the stack's own.`);
      // Said once: the cap is the same in every run.
      if (r.stoppedBy === 'maxRate' && i === runs.length - 1) result.warnings!.push(`${r.route}: met its SLO at the cap of ${run.plan.search.maxRate} req/s: its knee is at least that. The search stops there because above it the generator (one Node thread on the machine that runs the servers) measures itself as much as the stack; use k6/capacity.js from another machine for higher rates.`);
      if (r.stoppedBy === 'budget') result.warnings!.push(`${tag}${r.route}: stopped by the time budget (${run.plan.search.budgetSeconds} s) before its knee was bracketed to ${run.plan.search.resolution * 100}%.`);
    }
  }
  result.checks.push({
    name: `finished within the budget of ${run.plan.search.budgetSeconds} s${runs.length > 1 ? ' (every run)' : ''}`,
    passed: runs.every((r) => r.seconds <= r.plan.search.budgetSeconds + 30),
    expected: `<= ${run.plan.search.budgetSeconds} s (+30 s for the last step)`,
    observed: runs.map((r) => `${r.seconds} s`).join(', '),
  });
  const before = runs[0].epochs.before;
  const after = run.epochs.after;
  if (before && after) {
    const f = failoversBetween(before, after);
    result.checks.push({ name: 'no Redis failover during the run (cluster_current_epoch unchanged)', passed: f.epochDelta === 0 && !f.mastersChanged, expected: `epoch ${before.clusterEpoch}, masters ${before.masters.join(',')}`, observed: `epoch ${after.clusterEpoch}, masters ${after.masters.join(',')}` });
  } else result.warnings!.push('Redis cluster epochs could not be read before and after the run: spurious failovers were not counted.');
  result.data = {
    search: run.plan.search,
    routes: run.routes,
    epochs: { before, after },
    seconds: run.seconds,
    ...(runs.length > 1 ? { runs: runs.map((r) => ({ seconds: r.seconds, knees: r.routes.map((x) => ({ route: x.route, knee: x.knee, stoppedBy: x.stoppedBy })) })), spread: kneeSpread(runs.map((r) => r.routes)) } : {}),
  };
  return result.finish();
}
