import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DevstackError } from '@devstack/core';

/** How the knee is searched: k6/capacity.json "search". */
export interface SearchSettings {
  /** First judged arrival rate, req/s: the search rises from here, or descends when it fails. */
  startRate: number;
  /** Each rising step multiplies the rate by this (each descending step divides by it). */
  factor: number;
  /** No step below this rate: failing here reports the knee as "below minRate". */
  minRate: number;
  /** No step above this rate (the knee is reported as "at least maxRate"). */
  maxRate: number;
  /** Shortest step, seconds; longer when needed for minSamples. */
  stepSeconds: number;
  /** Longest step, seconds (slow rates get fewer than minSamples rather than minutes of steps). */
  maxStepSeconds: number;
  /** Requests per step at least, within maxStepSeconds (a p95 of fewer samples is noise). */
  minSamples: number;
  /** Bisection steps at most between the last passing and the first failing rate. */
  bisect: number;
  /** Bisection stops once firstFail / knee is at most 1 + resolution. */
  resolution: number;
  /** A failing step is measured again this many times before the rate counts as failed. */
  retries: number;
  /** A step fails above this error rate. */
  maxErrorRate: number;
  /** A request unanswered this long after its intended send time is a failure ("timeout"). */
  timeoutMs: number;
  /** Sockets of the generator's keep-alive agent. */
  connections: number;
  /** Unjudged traffic at startRate before a route's first step (connections, JIT, caches). */
  warmupSeconds: number;
  /**
   * Unjudged traffic at each step's rate before its measured window: a rate change makes the api open
   * connections (TLS handshakes to the servers) and moves every queue, and a step judged from its first
   * request judged that transition (postgres at 3000 req/s: p95 496 ms, then 112 ms on the retry).
   */
  settleSeconds: number;
  /** Quiet time between steps, after the last request of a step finished. */
  pauseMs: number;
  /** Wall-time budget of the whole search, shared out among the routes not yet searched. */
  budgetSeconds: number;
}

export interface CapacityRoute {
  name: string;
  paths: string[];
  /** The route's SLO: p95 below this many ms. */
  sloP95Ms: number;
}

export interface CapacityPlan {
  search: SearchSettings;
  routes: CapacityRoute[];
}

export function capacityPlanPath(root: string): string {
  return path.join(root, 'k6', 'capacity.json');
}

const NUMBERS: (keyof SearchSettings)[] = ['startRate', 'factor', 'minRate', 'maxRate', 'stepSeconds', 'maxStepSeconds', 'minSamples', 'bisect', 'resolution', 'retries', 'maxErrorRate', 'timeoutMs', 'connections', 'pauseMs', 'warmupSeconds', 'settleSeconds', 'budgetSeconds'];

/** Validate the parsed k6/capacity.json; the message names the key and the fix. */
export function parseCapacityPlan(data: unknown, file = 'k6/capacity.json'): CapacityPlan {
  const bad = (key: string, what: string) => new DevstackError('BAD_CONFIG', `${file}: ${key} ${what}.`, { fix: `Correct ${key} in ${file} (restore it from git if unsure).` });
  const d = data as { search?: Record<string, unknown>; routes?: Record<string, { paths?: unknown; sloP95Ms?: unknown }> };
  if (!d || typeof d.search !== 'object' || typeof d.routes !== 'object') throw bad('the file', 'needs "search" and "routes" objects');
  for (const k of NUMBERS) {
    const v = d.search![k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(`search.${k}`, `must be a non-negative number, got ${JSON.stringify(v)}`);
  }
  const search = d.search as unknown as SearchSettings;
  if (search.factor <= 1) throw bad('search.factor', `must be above 1, got ${search.factor}`);
  if (!(search.minRate > 0) || search.startRate < search.minRate || search.maxRate < search.startRate) throw bad('search.startRate', 'must lie between search.minRate (above 0) and search.maxRate');
  if (search.maxStepSeconds < search.stepSeconds) throw bad('search.maxStepSeconds', 'must be at least search.stepSeconds');
  if (search.maxErrorRate >= 1) throw bad('search.maxErrorRate', 'is a fraction below 1');
  const routes = Object.entries(d.routes!).map(([name, r]) => {
    if (!Array.isArray(r?.paths) || r.paths.length === 0 || r.paths.some((p) => typeof p !== 'string' || !p.startsWith('/'))) throw bad(`routes.${name}.paths`, 'must be a list of api paths starting with "/"');
    if (typeof r.sloP95Ms !== 'number' || !(r.sloP95Ms > 0)) throw bad(`routes.${name}.sloP95Ms`, 'must be a positive number of ms');
    return { name, paths: r.paths as string[], sloP95Ms: r.sloP95Ms };
  });
  if (routes.length === 0) throw bad('routes', 'is empty');
  return { search: { ...search }, routes };
}

export function readCapacityPlan(root: string): CapacityPlan {
  const file = capacityPlanPath(root);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new DevstackError('BAD_CONFIG', `Cannot read the capacity plan ${file}: ${(cause as Error).message}.`, { cause, fix: 'Restore k6/capacity.json from git.' });
  }
  return parseCapacityPlan(data, path.relative(root, file));
}

/** The rising rates: startRate x factor^k, the last one capped at maxRate (k6's ramping-arrival-rate stages hold these). */
export function risingRates(s: Pick<SearchSettings, 'startRate' | 'factor' | 'maxRate'>): number[] {
  const out: number[] = [];
  // Each step rounded from the one before, as nextRate walks it.
  for (let r = Math.round(s.startRate); r < s.maxRate; r = Math.round(r * s.factor)) out.push(r);
  out.push(Math.round(s.maxRate));
  return out;
}

/** The next rate of the ladder up (capped at maxRate) or down (floored at minRate); undefined past the end. */
export function nextRate(s: Pick<SearchSettings, 'factor' | 'minRate' | 'maxRate'>, rate: number, dir: 'up' | 'down'): number | undefined {
  if (dir === 'up') return rate >= s.maxRate ? undefined : Math.min(s.maxRate, Math.round(rate * s.factor));
  return rate <= s.minRate ? undefined : Math.max(s.minRate, Math.round(rate / s.factor));
}

/** Seconds of one step at `rate`: long enough for minSamples requests, within [stepSeconds, maxStepSeconds]. */
export function stepSecondsAt(s: Pick<SearchSettings, 'stepSeconds' | 'maxStepSeconds' | 'minSamples'>, rate: number): number {
  return Math.ceil(Math.min(s.maxStepSeconds, Math.max(s.stepSeconds, s.minSamples / rate)) * 1000) / 1000;
}

/** Metric-safe route name: "db/postgres" -> "db_postgres". */
export const routeSlug = (name: string) => name.replace(/[^a-zA-Z0-9]+/g, '_').replace(/^_|_$/g, '');
