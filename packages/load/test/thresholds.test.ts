import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseK6Summary, type K6Summary } from '../src/k6-runner';
import { readScenarioFile, scenarioOf } from '../src/scenarios';
import { evaluateThresholds, parseThreshold } from '../src/thresholds';

const snapshot = { count: 100, min: 1, mean: 20, p50: 15, p90: 80, p95: 99.9, p99: 150, max: 400 };

describe('k6 threshold expressions', () => {
  it('parses p(95)<100 and rate<0.01', () => {
    expect(parseThreshold('http_req_duration', 'p(95)<100')).toMatchObject({ stat: 'p(95)', op: '<', limit: 100 });
    expect(parseThreshold('http_req_failed', 'rate < 0.01')).toMatchObject({ stat: 'rate', op: '<', limit: 0.01, expression: 'rate<0.01' });
  });
  it('refuses what k6 would not accept', () => {
    expect(() => parseThreshold('x', 'p95<100')).toThrow(expect.objectContaining({ code: 'BAD_CONFIG', message: expect.stringContaining('"p95<100"') }));
  });
  it('passes and fails on the measured statistic', () => {
    const checks = evaluateThresholds({ http_req_duration: ['p(95)<100', 'max<300'], http_req_failed: ['rate<0.01'] }, { trends: { http_req_duration: snapshot }, rates: { http_req_failed: 0.02 } });
    expect(checks.map((c) => [c.name, c.passed])).toEqual([
      ['http_req_duration p(95)<100', true],
      ['http_req_duration max<300', false],
      ['http_req_failed rate<0.01', false],
    ]);
    expect(checks[2].observed).toBe('rate = 0.02');
  });
  it('fails a threshold whose metric was not measured', () => {
    const [c] = evaluateThresholds({ db_query_duration: ['p(95)<50'] }, { trends: {}, rates: {} });
    expect(c).toMatchObject({ passed: false, observed: 'not measured' });
  });
});

describe('k6 --summary-export parsing', () => {
  const summary = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/k6-summary-sustained.json'), 'utf8')) as K6Summary;
  const def = scenarioOf(readScenarioFile(path.resolve(__dirname, '../../..')), 'sustained');

  it('maps requests, rate, trend stats and failures onto the shared schema', () => {
    const m = parseK6Summary(summary, def, { tool: 'k6 v0.54.0', target: 'http://api' });
    expect(m).toMatchObject({ engine: 'k6', ops: 120000, throughput: 1999.6, failed: 600, errorRate: 0.005, maxVus: 100, durationS: 60.0125 });
    expect(m.latency).toEqual({ count: 119400, min: 0.8, mean: 41.2, p50: 30.5, p90: 80.1, p95: 97.3, p99: 180.9, max: 812.4 });
    expect(m.errorKinds).toEqual({ 'http_req_failed (k6 gives no breakdown)': 600 });
  });
  it('reads the per-route submetrics k6/lib.js exposes with route thresholds', () => {
    const withRoutes: K6Summary = {
      ...summary,
      metrics: {
        ...summary.metrics,
        'http_req_duration{name:/db/mysql}': { avg: 9, min: 1, med: 8, max: 90, 'p(90)': 20, 'p(95)': 30, 'p(99)': 60 },
        'http_req_failed{name:/db/mysql}': { passes: 5, fails: 995, value: 0.005 },
      },
    };
    const m = parseK6Summary(withRoutes, def, { tool: 'k6', target: 'x' });
    expect(m.routes).toEqual([{ route: '/db/mysql', ops: 1000, failed: 5, errorRate: 0.005, latency: { count: 995, min: 1, mean: 9, p50: 8, p90: 20, p95: 30, p99: 60, max: 90 }, errorKinds: { 'http_req_failed (k6 gives no breakdown)': 5 } }]);
    expect(parseK6Summary(summary, def, { tool: 'k6', target: 'x' }).routes).toBeUndefined();
  });
  it('refuses a summary without the scenario latency metric', () => {
    expect(() => parseK6Summary({ metrics: {} }, def, { tool: 'k6', target: 'x' })).toThrow(expect.objectContaining({ code: 'CHECK_FAILED' }));
  });
});
