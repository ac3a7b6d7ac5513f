// Shared by every k6 script here. The scenario numbers live in scenarios.json only; packages/load
// passes a scaled copy with -e SCENARIO_FILE=... (--scale), the k6 operator uses the file as shipped.
import http from 'k6/http';
import { check } from 'k6';
import { Rate, Trend } from 'k6/metrics';

const definition = JSON.parse(open(__ENV.SCENARIO_FILE || './scenarios.json'));
const API_URL = (__ENV.API_URL || 'http://127.0.0.1:18080').replace(/\/+$/, '');

// Single-row reads through the api: one request is one query / one Redis GET.
const dbQueryDuration = new Trend('db_query_duration', true);
const cacheOpDuration = new Trend('cache_op_duration', true);
const opFailed = new Rate('op_failed');

/** The api paths a scenario requests: its k6 `name` tags. */
export function routesOf(scenario) {
  const env = scenario.env || {};
  if (scenario.exec === 'db') return list(env.TARGETS).map((t) => `/db/${t}`);
  if (scenario.exec === 'cache') return ['/cache/redis'];
  return list(env.PATHS);
}

/**
 * The scenario's thresholds, repeated on each route's submetric ("http_req_duration{name:/db/mysql}"):
 * k6 exports a submetric only when a threshold names it, and packages/load reads them as the
 * per-route breakdown. The scenario-wide thresholds stay the verdict.
 */
export function routeThresholds(scenario, thresholds) {
  const out = {};
  for (const [metric, exprs] of Object.entries(thresholds)) for (const route of routesOf(scenario)) out[`${metric}{name:${route}}`] = exprs;
  return out;
}

/** k6 options for one scenario of scenarios.json: that scenario alone, with its thresholds. */
export function optionsFor(name) {
  const scenario = definition.scenarios[name];
  if (!scenario) throw new Error(`scenario ${name} is not in scenarios.json`);
  return {
    scenarios: { [name]: scenario },
    thresholds: { ...definition.thresholds[name], ...routeThresholds(scenario, definition.thresholds[name]) },
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
    insecureSkipTLSVerify: true,
  };
}

function list(value) {
  return String(value || '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** HTTP scenarios: each iteration requests the next path of PATHS (round robin per VU). */
export function httpMix() {
  const paths = list(__ENV.PATHS);
  const path = paths[__ITER % paths.length];
  const res = http.get(`${API_URL}${path}`, { tags: { name: path } });
  check(res, { 'status is 200': (r) => r.status === 200 });
}

function timedRead(path, trend) {
  const res = http.get(`${API_URL}${path}`, { tags: { name: path } });
  const ok = res.status === 200;
  opFailed.add(!ok, { name: path });
  if (ok) trend.add(res.timings.duration, { name: path });
}

/** db: one single-row query per iteration, databases of TARGETS in turn. */
export function db() {
  const targets = list(__ENV.TARGETS);
  timedRead(`/db/${targets[__ITER % targets.length]}`, dbQueryDuration);
}

/** cache: one Redis GET per iteration (the api's ioredis Cluster client routes by slot: no MOVED). */
export function cache() {
  timedRead('/cache/redis', cacheOpDuration);
}
