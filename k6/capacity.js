// k6 run k6/capacity.js  (the capacity search of capacity.json; see k6/README.md)
//
// Without RATE: one ramping-arrival-rate scenario per route, the rising steps of the search held
// for stepSeconds each, routes one after the other (startTime); per-route SLO thresholds on the
// tagged submetrics; read each route's knee off the per-stage results.
// With -e ROUTE=<name> -e RATE=<req/s>: one constant-arrival-rate step of one route (what
// packages/load's descending, retry and bisection steps run), thresholds = that route's SLO.
import http from 'k6/http';

const plan = JSON.parse(open(__ENV.CAPACITY_FILE || './capacity.json'));
const API_URL = (__ENV.API_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');
const s = plan.search;

// The ladder up of the search: startRate x factor^k, the last step capped at maxRate.
export function risingRates() {
  const out = [];
  for (let r = Math.round(s.startRate); r < s.maxRate; r = Math.round(r * s.factor)) out.push(r);
  out.push(Math.round(s.maxRate));
  return out;
}

// minSamples requests per step, within [stepSeconds, maxStepSeconds].
function stepSeconds(rate) {
  // settleSeconds first (judged by the built-in engine only from after it; k6's thresholds span the run).
  return (s.settleSeconds || 0) + Math.ceil(Math.min(s.maxStepSeconds, Math.max(s.stepSeconds, s.minSamples / rate)) * 1000) / 1000;
}

// Enough pre-allocated VUs for the rate at the route's SLO latency (Little's law), bounded.
function vusFor(rate, sloMs) {
  return Math.min(s.connections, Math.max(10, Math.ceil((rate * Math.max(sloMs, 100)) / 1000)));
}

function thresholdsFor(names) {
  const t = {};
  for (const name of names) {
    const route = plan.routes[name];
    t[`http_req_duration{route:${name}}`] = [`p(95)<${route.sloP95Ms}`];
    t[`http_req_failed{route:${name}}`] = [`rate<${s.maxErrorRate}`];
  }
  return t;
}

export function capacityOptions(env) {
  const names = Object.keys(plan.routes);
  const common = { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'], insecureSkipTLSVerify: true, discardResponseBodies: true };
  if (env.RATE) {
    const name = env.ROUTE;
    if (!plan.routes[name]) throw new Error(`ROUTE must be one of ${names.join(', ')}`);
    const rate = Number(env.RATE);
    return {
      ...common,
      scenarios: {
        [name]: { executor: 'constant-arrival-rate', rate, timeUnit: '1s', duration: `${stepSeconds(rate)}s`, preAllocatedVUs: vusFor(rate, plan.routes[name].sloP95Ms), maxVUs: s.connections, exec: 'route', env: { ROUTE: name }, tags: { route: name } },
      },
      thresholds: thresholdsFor([name]),
    };
  }
  const scenarios = {};
  let start = 0;
  for (const name of names) {
    const rates = risingRates();
    const stages = rates.map((rate) => ({ target: rate, duration: '0s' })).flatMap((jump, i) => [jump, { target: rates[i], duration: `${stepSeconds(rates[i])}s` }]);
    scenarios[name] = {
      executor: 'ramping-arrival-rate',
      startRate: rates[0],
      timeUnit: '1s',
      stages,
      preAllocatedVUs: vusFor(rates[0], plan.routes[name].sloP95Ms),
      maxVUs: s.connections,
      startTime: `${start}s`,
      exec: 'route',
      env: { ROUTE: name },
      tags: { route: name },
    };
    start += stages.reduce((a, st) => a + parseFloat(st.duration), 0) + s.pauseMs / 1000;
  }
  return { ...common, scenarios, thresholds: thresholdsFor(names) };
}

export const options = capacityOptions(__ENV);

/** One request of the scenario's route: the next of its paths (round robin per VU), tagged by path. */
export function route() {
  const paths = plan.routes[__ENV.ROUTE].paths;
  const path = paths[__ITER % paths.length];
  http.get(`${API_URL}${path}`, { tags: { name: path }, timeout: `${s.timeoutMs}ms` });
}
