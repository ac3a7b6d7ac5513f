import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { parseDuration } from '../src/scenarios';
import { readCapacityPlan, risingRates, stepSecondsAt } from '../src/capacity-plan';
import { parseThreshold } from '../src/thresholds';

/** k6/capacity.js executed for real (k6's http stubbed): the options it hands k6 follow k6/capacity.json. */
const root = path.resolve(__dirname, '../../..');
const k6Dir = path.join(root, 'k6');
const plan = readCapacityPlan(root);

interface Scenario {
  executor: string;
  rate?: number;
  startRate?: number;
  timeUnit: string;
  duration?: string;
  stages?: { target: number; duration: string }[];
  preAllocatedVUs: number;
  maxVUs: number;
  startTime?: string;
  exec: string;
  env: { ROUTE: string };
  tags: { route: string };
}
interface Options {
  scenarios: Record<string, Scenario>;
  thresholds: Record<string, string[]>;
  summaryTrendStats: string[];
}

function load(env: Record<string, string> = {}) {
  const requested: { url: string; params: { tags: { name: string }; timeout: string } }[] = [];
  const source = readFileSync(path.join(k6Dir, 'capacity.js'), 'utf8')
    .replace(/^import .*$/gm, '')
    .replace(/^export (function|const) /gm, '$1 ');
  const context = vm.createContext({ __ENV: env, __ITER: 0, open: (p: string) => readFileSync(path.resolve(k6Dir, p), 'utf8'), http: { get: (url: string, params: never) => requested.push({ url, params }) } });
  const mod = vm.runInContext(`${source}\n;({ options, route, capacityOptions })`, context) as { options: Options; route(): void; capacityOptions(env: Record<string, string>): Options };
  return { mod, context, requested };
}

describe('k6/capacity.js', () => {
  it('imports only k6 modules and exports options and the exec function', () => {
    const text = readFileSync(path.join(k6Dir, 'capacity.js'), 'utf8');
    expect(text.match(/^import .*$/gm)).toEqual(["import http from 'k6/http';"]);
    expect(text).toMatch(/^export const options = capacityOptions\(__ENV\);$/m);
    expect(text).toMatch(/^export function route\(\)/m);
  });

  it('default: one ramping-arrival-rate scenario per route, the rising rates held stepSeconds each, routes in sequence', () => {
    const { options } = load().mod;
    expect(Object.keys(options.scenarios)).toEqual(plan.routes.map((r) => r.name));
    let expectedStart = 0;
    for (const r of plan.routes) {
      const sc = options.scenarios[r.name];
      expect(sc).toMatchObject({ executor: 'ramping-arrival-rate', timeUnit: '1s', exec: 'route', env: { ROUTE: r.name }, tags: { route: r.name }, startRate: plan.search.startRate, maxVUs: plan.search.connections });
      const holds = sc.stages!.filter((_, i) => i % 2 === 1);
      expect(holds.map((h) => h.target)).toEqual(risingRates(plan.search));
      expect(holds.map((h) => parseDuration(h.duration))).toEqual(risingRates(plan.search).map((rate) => plan.search.settleSeconds + stepSecondsAt(plan.search, rate)));
      expect(sc.stages!.filter((_, i) => i % 2 === 0).every((j) => j.duration === '0s')).toBe(true);
      expect(parseDuration(sc.startTime!)).toBeCloseTo(expectedStart, 6);
      expectedStart += sc.stages!.reduce((a, st) => a + parseDuration(st.duration === '0s' ? '0ms' : st.duration), 0) + plan.search.pauseMs / 1000;
      expect(sc.preAllocatedVUs).toBeGreaterThanOrEqual(1);
      expect(sc.preAllocatedVUs).toBeLessThanOrEqual(sc.maxVUs);
    }
  });

  it("thresholds are each route's SLO and error budget on the route-tagged submetrics, valid k6 expressions", () => {
    const { options } = load().mod;
    for (const r of plan.routes) {
      expect(options.thresholds[`http_req_duration{route:${r.name}}`]).toEqual([`p(95)<${r.sloP95Ms}`]);
      expect(options.thresholds[`http_req_failed{route:${r.name}}`]).toEqual([`rate<${plan.search.maxErrorRate}`]);
    }
    for (const [metric, exprs] of Object.entries(options.thresholds)) for (const e of exprs) expect(parseThreshold(metric, e).limit).toBeGreaterThan(0);
    expect(options.summaryTrendStats).toEqual(expect.arrayContaining(['med', 'p(95)', 'p(99)']));
  });

  it('-e ROUTE -e RATE: one constant-arrival-rate step of that route (a bisection step)', () => {
    const o = load().mod.capacityOptions({ ROUTE: 'postgres', RATE: '300' });
    expect(o.scenarios).toEqual({
      postgres: expect.objectContaining({ executor: 'constant-arrival-rate', rate: 300, timeUnit: '1s', duration: `${plan.search.settleSeconds + stepSecondsAt(plan.search, 300)}s`, exec: 'route', env: { ROUTE: 'postgres' } }),
    });
    expect(Object.keys(o.thresholds)).toEqual(['http_req_duration{route:postgres}', 'http_req_failed{route:postgres}']);
    expect(() => load().mod.capacityOptions({ ROUTE: 'nope', RATE: '1' })).toThrow('ROUTE must be one of health, postgres, mysql, mongodb, redis, vault, mix');
  });

  it('route() requests the paths of its route in turn, tagged by path, with the plan timeout', () => {
    const { mod, context, requested } = load({ ROUTE: 'mix', API_URL: 'http://api:1' });
    const paths = plan.routes.find((r) => r.name === 'mix')!.paths;
    for (let i = 0; i < paths.length; i++) {
      context.__ITER = i;
      mod.route();
    }
    expect(requested.map((r) => r.url)).toEqual(paths.map((p) => `http://api:1${p}`));
    expect(requested.map((r) => r.params.tags.name)).toEqual(paths);
    expect(requested[0].params.timeout).toBe(`${plan.search.timeoutMs}ms`);
  });
});
