import * as path from 'node:path';
import { parseDuration, readScenarioFile, scaleScenario, scenarioOf, stepsOf, SCENARIO_NAMES } from '../src/scenarios';

const root = path.resolve(__dirname, '../../..');
const file = readScenarioFile(root);

describe('k6 durations', () => {
  it.each([
    ['60s', 60],
    ['2m', 120],
    ['1m30s', 90],
    ['500ms', 0.5],
    ['1h', 3600],
  ])('%s is %d s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['60', 's', '10x', '1m 30s'])('rejects %p with a fix', (text) => {
    expect(() => parseDuration(text)).toThrow(expect.objectContaining({ code: 'BAD_CONFIG', message: `"${text}" is not a k6 duration.` }));
  });
});

describe('the shipped scenarios (performance targets of the issue)', () => {
  it('defines exactly the five scenarios', () => {
    expect(Object.keys(file.scenarios).sort()).toEqual([...SCENARIO_NAMES].sort());
    expect(Object.keys(file.thresholds).sort()).toEqual([...SCENARIO_NAMES].sort());
  });
  it('sustained is 100 VUs for 60 s, spike 500 VUs for 10 s, ramp 10 -> 200 VUs over 120 s', () => {
    expect(file.scenarios.sustained).toMatchObject({ executor: 'constant-vus', vus: 100, duration: '60s' });
    expect(file.scenarios.spike).toMatchObject({ executor: 'constant-vus', vus: 500, duration: '10s' });
    expect(file.scenarios.ramp).toMatchObject({ executor: 'ramping-vus', startVUs: 10, stages: [{ duration: '120s', target: 200 }] });
  });
  it('db runs 1000 concurrent queries, cache 10000 concurrent Redis operations', () => {
    expect(file.scenarios.db).toMatchObject({ executor: 'shared-iterations', vus: 1000, exec: 'db' });
    expect(file.scenarios.cache).toMatchObject({ executor: 'shared-iterations', vus: 10000, exec: 'cache' });
  });
  it('API scenarios hold p95 < 100 ms and error rate < 1%', () => {
    for (const s of ['sustained', 'spike', 'ramp']) expect(file.thresholds[s]).toEqual({ http_req_duration: ['p(95)<100'], http_req_failed: ['rate<0.01'] });
  });
});

describe('--scale', () => {
  it('shrinks VUs and durations of a constant-vus scenario', () => {
    const s = scaleScenario(scenarioOf(file, 'sustained'), 0.1).scenario;
    expect(s).toMatchObject({ vus: 10, duration: '6s', executor: 'constant-vus' });
  });
  it('shrinks stage targets, start VUs and stage durations of a ramp, never below 1 VU / 1 s', () => {
    const s = scaleScenario(scenarioOf(file, 'ramp'), 0.01).scenario;
    expect(s.startVUs).toBe(1);
    expect(s.stages).toEqual([{ duration: '1.2s', target: 2 }]);
    expect(scaleScenario(scenarioOf(file, 'spike'), 0.001).scenario).toMatchObject({ vus: 1, duration: '1s' });
  });
  it('shrinks iterations of shared-iterations and leaves thresholds alone', () => {
    const d = scaleScenario(scenarioOf(file, 'cache'), 0.1);
    expect(d.scenario).toMatchObject({ vus: 1000, iterations: 10000 });
    expect(d.thresholds).toEqual(file.thresholds.cache);
  });
  it.each([0, -1, 11, Number.NaN])('refuses scale %p', (f) => {
    expect(() => scaleScenario(scenarioOf(file, 'db'), f)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
  it('refuses an unknown scenario with the known names', () => {
    expect(() => scenarioOf(file, 'soak')).toThrow(expect.objectContaining({ code: 'BAD_INPUT', fix: expect.stringContaining('sustained, spike, ramp, db, cache') }));
  });
});

describe('ramping-vus as autocannon steps', () => {
  it('interpolates 10 -> 200 over 120 s in 5 s steps at each step midpoint', () => {
    const steps = stepsOf(file.scenarios.ramp);
    expect(steps).toHaveLength(24);
    expect(steps[0]).toEqual({ vus: 14, seconds: 5 });
    expect(steps[23]).toEqual({ vus: 196, seconds: 5 });
    expect(steps.reduce((a, s) => a + s.seconds, 0)).toBe(120);
  });
  it('constant-vus is one step', () => {
    expect(stepsOf(file.scenarios.spike)).toEqual([{ vus: 500, seconds: 10 }]);
  });
});
