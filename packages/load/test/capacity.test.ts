import * as path from 'node:path';
import type { LatencySnapshot } from '@devstack/core';
import { parseCapacityPlan, readCapacityPlan, risingRates, routeSlug, stepSecondsAt } from '../src/capacity-plan';
import { kneeMetrics, quickCapacityOptions, type RouteCapacity } from '../src/capacity';
import { judgeStep, searchKnee } from '../src/knee-search';

const root = path.resolve(__dirname, '../../..');
const plan = readCapacityPlan(root);
const snap = (p95: number): LatencySnapshot => ({ count: 100, min: 0.1, mean: p95 / 3, p50: p95 / 4, p90: p95 * 0.9, p95, p99: p95 * 1.5, max: p95 * 2 });

describe('k6/capacity.json', () => {
  it('searches every api route and the mixed path list, with the SLOs of DESIGN.md', () => {
    const byName = Object.fromEntries(plan.routes.map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(['health', 'mix', 'mongodb', 'mysql', 'postgres', 'redis', 'vault']);
    expect(byName.postgres).toEqual({ name: 'postgres', paths: ['/db/postgres'], sloP95Ms: 50 });
    expect(byName.redis.sloP95Ms).toBe(5);
    expect(byName.vault.sloP95Ms).toBe(20);
    expect(byName.mix.paths).toEqual(['/health', '/db/postgres', '/db/mysql', '/db/mongodb', '/cache/redis', '/vault/secret']);
    expect(plan.search.maxErrorRate).toBe(0.01);
  });

  it('fits the 5-minute bound even when every route rises to maxRate', () => {
    const s = plan.search;
    const rise = risingRates(s).reduce((a, r) => a + stepSecondsAt(s, r) + s.pauseMs / 1000, 0);
    expect(s.budgetSeconds).toBeLessThanOrEqual(300);
    // The budget, not the plan, ends a search that would run longer; each route still gets its rise.
    expect(rise + s.warmupSeconds).toBeLessThan(s.budgetSeconds / plan.routes.length + 20);
  });

  it.each([
    [{ search: { ...plan.search, factor: 1 }, routes: { a: { paths: ['/a'], sloP95Ms: 1 } } }, 'k6/capacity.json: search.factor must be above 1, got 1.'],
    [{ search: { ...plan.search, stepSeconds: 'x' }, routes: {} }, 'k6/capacity.json: search.stepSeconds must be a non-negative number, got "x".'],
    [{ search: plan.search, routes: { a: { paths: ['db'], sloP95Ms: 1 } } }, 'k6/capacity.json: routes.a.paths must be a list of api paths starting with "/".'],
    [{ search: plan.search, routes: { a: { paths: ['/a'], sloP95Ms: 0 } } }, 'k6/capacity.json: routes.a.sloP95Ms must be a positive number of ms.'],
    [{ routes: {} }, 'k6/capacity.json: the file needs "search" and "routes" objects.'],
  ])('refuses a bad plan with the key: %#', (data, message) => {
    expect(() => parseCapacityPlan(data)).toThrow(expect.objectContaining({ code: 'BAD_CONFIG', message }));
  });

  it('rates rise geometrically; slow steps last long enough for minSamples', () => {
    expect(risingRates({ startRate: 50, factor: 2, maxRate: 400 })).toEqual([50, 100, 200, 400]);
    expect(stepSecondsAt({ stepSeconds: 2, minSamples: 200 }, 50)).toBe(4);
    expect(stepSecondsAt({ stepSeconds: 2, minSamples: 200 }, 1000)).toBe(2);
    expect(routeSlug('db/postgres')).toBe('db_postgres');
  });
});

describe('knee search', () => {
  const settings = { startRate: 50, factor: 2, maxRate: 12800, bisect: 3, maxErrorRate: 0.01 };
  // A server whose p95 crosses 100 ms at `capacity` req/s (queueing: latency explodes past it).
  const server = (capacity: number, errorsAbove = Infinity) => async (rate: number) => ({ rate, ops: rate * 2, errorRate: rate > errorsAbove ? 0.05 : 0, latency: snap(rate < capacity ? 10 + (rate / capacity) * 50 : 500) });

  it('brackets the knee by rising steps, then bisects geometrically', async () => {
    const k = await searchKnee(settings, 100, server(730));
    expect(k.steps.filter((s) => s.phase === 'rise').map((s) => s.step.rate)).toEqual([50, 100, 200, 400, 800]);
    expect(k.steps.filter((s) => s.phase === 'bisect').map((s) => s.step.rate)).toEqual([566, 673, 734]);
    expect(k.knee).toBe(673);
    expect(k.firstFail).toBe(734);
    expect(k.atKnee?.rate).toBe(673);
    // Resolution after 3 bisections of a factor-2 bracket: 2^(1/8), within 9%.
    expect(k.firstFail! / k.knee).toBeLessThan(1.091);
  });

  it('an error rate above 1% fails a step even with a fast p95', async () => {
    const k = await searchKnee(settings, 100, server(100000, 300));
    expect(k.steps.find((s) => !s.passed)?.reason).toBe('errors 5.00% > 1.00%');
    expect(k.knee).toBeGreaterThanOrEqual(200);
    expect(k.knee).toBeLessThanOrEqual(300);
  });

  it('no failure up to maxRate: the knee is maxRate and the search says so', async () => {
    const k = await searchKnee({ ...settings, maxRate: 400 }, 100, server(1e9));
    expect(k).toMatchObject({ knee: 400, firstFail: undefined, stoppedBy: 'maxRate' });
  });

  it('failing the first step: knee 0, no bisection towards zero', async () => {
    const k = await searchKnee(settings, 100, server(10));
    expect(k).toMatchObject({ knee: 0, firstFail: 50 });
    expect(k.steps).toHaveLength(1);
  });

  it('the time budget stops the search', async () => {
    let n = 0;
    const k = await searchKnee(settings, 100, server(1e9), () => n++ < 3);
    expect(k.steps).toHaveLength(3);
    expect(k.stoppedBy).toBe('budget');
  });

  it('judges p95 against the SLO strictly (p95 equal to the SLO fails)', () => {
    expect(judgeStep({ rate: 1, ops: 10, errorRate: 0, latency: snap(100) }, 100, 0.01)).toEqual({ passed: false, reason: 'p95 100 ms >= SLO 100 ms' });
    expect(judgeStep({ rate: 1, ops: 0, errorRate: 0, latency: snap(1) }, 100, 0.01)).toEqual({ passed: false, reason: 'no request completed' });
  });
});

describe('knee metrics', () => {
  it('one req/s metric per route, median over trials, latency at the knee', () => {
    const route = (knee: number): RouteCapacity => ({ route: 'postgres', paths: ['/db/postgres'], sloP95Ms: 50, knee, generatorBound: false, steps: [], atKnee: { latency: snap(40) } as RouteCapacity['atKnee'] });
    const [m] = kneeMetrics([[route(400)], [route(440)], [route(420)]]);
    expect(m).toMatchObject({ name: 'capacity_postgres_knee', unit: 'req/s', better: 'higher', value: 420, trials: [400, 440, 420], n: 3, p95: 40 });
  });
});

describe('load:capacity --quick', () => {
  it('searches the mix route with one bisection step, and keeps routes and bisect that are given', () => {
    expect(quickCapacityOptions({ quick: true })).toMatchObject({ routes: ['mix'], bisect: 1 });
    expect(quickCapacityOptions({ quick: true, routes: ['redis'], bisect: 3 })).toMatchObject({ routes: ['redis'], bisect: 3 });
    const full = { routes: undefined, bisect: undefined };
    expect(quickCapacityOptions(full)).toBe(full);
    expect(plan.routes.map((r) => r.name)).toContain('mix');
  });
});
