import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DevstackError } from '@devstack/core';

/** How the knee is searched: k6/capacity.json "search". */
export interface SearchSettings {
  /** First arrival rate, req/s. */
  startRate: number;
  /** Each rising step multiplies the rate by this. */
  factor: number;
  /** No step above this rate (the knee is reported as "at least"). */
  maxRate: number;
  /** Length of one step, seconds; longer when needed for minSamples. */
  stepSeconds: number;
  /** Requests per step at least (a p95 of fewer samples is noise). */
  minSamples: number;
  /** Bisection steps between the last passing and the first failing rate. */
  bisect: number;
  /** A step fails above this error rate. */
  maxErrorRate: number;
  /** A request unanswered this long after its intended send time is a failure ("timeout"). */
  timeoutMs: number;
  /** Sockets of the generator's keep-alive agent. */
  connections: number;
  /** Unjudged traffic at startRate before a route's first step (connections, JIT, caches). */
  warmupSeconds: number;
  /** Quiet time between steps, after the last request of a step finished. */
  pauseMs: number;
  /** Wall-time budget of the whole search; routes not reached are reported as skipped. */
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

const NUMBERS: (keyof SearchSettings)[] = ['startRate', 'factor', 'maxRate', 'stepSeconds', 'minSamples', 'bisect', 'maxErrorRate', 'timeoutMs', 'connections', 'pauseMs', 'warmupSeconds', 'budgetSeconds'];

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
  if (!(search.startRate > 0) || search.maxRate < search.startRate) throw bad('search.startRate', 'must be positive and at most search.maxRate');
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

/** The rising rates: startRate x factor^k up to maxRate (k6's ramping-arrival-rate stages hold these). */
export function risingRates(s: Pick<SearchSettings, 'startRate' | 'factor' | 'maxRate'>): number[] {
  const out: number[] = [];
  for (let r = s.startRate; r <= s.maxRate * 1.0001; r *= s.factor) out.push(Math.round(r));
  return out;
}

/** Seconds of one step at `rate`: stepSeconds, or longer so the step holds minSamples requests. */
export function stepSecondsAt(s: Pick<SearchSettings, 'stepSeconds' | 'minSamples'>, rate: number): number {
  return Math.max(s.stepSeconds, s.minSamples / rate);
}

/** Metric-safe route name: "db/postgres" -> "db_postgres". */
export const routeSlug = (name: string) => name.replace(/[^a-zA-Z0-9]+/g, '_').replace(/^_|_$/g, '');
