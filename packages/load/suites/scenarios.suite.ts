import { loadConfig } from '@devstack/core';
import { k6Binary } from '../src/k6-runner';
import type { LoadMeasurement } from '../src/measurement';
import type { ResourceUsage } from '@devstack/runtime';
import { scenarioTask } from '../src/run';
import { readScenarioFile, scaleScenario, scenarioOf, SCENARIO_NAMES } from '../src/scenarios';

/**
 * Every scenario at --scale 0.05 with the built-in engine against the live stack (about 20 s in all).
 * The stack is healthy here, so any failed operation is a defect; latency thresholds are checked for
 * consistency with the measurement (their verdict depends on this machine's load, not on our code).
 */
const SCALE = 0.05;
const config = loadConfig();
const file = readScenarioFile(config.root);

describe.each(SCENARIO_NAMES)('load:%s at scale 0.05, built-in engine', (name) => {
  it('completes with no failed operation, the shared schema, and thresholds evaluated', async () => {
    const result = await scenarioTask(name)({ config, scale: SCALE, engine: 'builtin' });
    const data = result.data as { engine: string; measurement: LoadMeasurement; resources: ResourceUsage[] };
    const m = data.measurement;
    const def = scaleScenario(scenarioOf(file, name), SCALE);

    expect(data.engine).toBe('builtin');
    expect(m.ops).toBeGreaterThan(0);
    expect(m.errorKinds).toEqual({});
    expect(m.failed).toBe(0);
    expect(m.latency.count).toBe(m.ops);
    expect(m.latency.p50).toBeLessThanOrEqual(m.latency.p95);
    expect(m.latency.p95).toBeLessThanOrEqual(m.latency.p99);
    expect(m.latency.p99).toBeLessThanOrEqual(m.latency.max);
    expect(m.throughput).toBeGreaterThan(0);
    if (def.scenario.executor === 'shared-iterations') expect(m.ops).toBe(def.scenario.iterations);
    if (def.scenario.executor === 'constant-vus') expect(m.maxVus).toBe(def.scenario.vus);

    // One check per threshold expression of scenarios.json, agreeing with the measured p95.
    const expected = Object.entries(def.thresholds).flatMap(([metric, exprs]) => exprs.map((e) => `${metric} ${e}`));
    expect(result.checks.map((c) => c.name)).toEqual(expected);
    const p95 = result.checks.find((c) => c.name.includes('p(95)<'))!;
    const limit = Number(/p\(95\)<(\d+)/.exec(p95.name)![1]);
    expect(p95.passed).toBe(m.latency.p95 < limit);
    expect(result.checks.find((c) => c.name.includes('rate<'))!.passed).toBe(true);

    // CPU and memory of the stack's processes were sampled during the run.
    const names = data.resources.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['api', 'postgres', 'mysql', 'mongodb', 'redis', 'vault']));
    expect(data.resources.every((r) => r.rssMaxMiB > 0)).toBe(true);
    expect(result.metrics.map((x) => x.name)).toEqual([`${name}_throughput`, `${name}_latency`, `${name}_error_rate`]);
  });
});

describe('refusals', () => {
  it('an api that does not answer is SERVICE_DOWN (exit 3), not a run full of errors', async () => {
    await expect(scenarioTask('sustained')({ config, scale: SCALE, engine: 'builtin', url: 'http://127.0.0.1:1' })).rejects.toMatchObject({
      code: 'SERVICE_DOWN',
      message: expect.stringContaining('The api at http://127.0.0.1:1 is not answering'),
    });
  });

  (k6Binary() ? it.skip : it)('--engine k6 without k6 on PATH is TOOL_MISSING (exit 3)', async () => {
    await expect(scenarioTask('spike')({ config, scale: SCALE, engine: 'k6' })).rejects.toMatchObject({ code: 'TOOL_MISSING', message: 'k6 is not on PATH.' });
  });
});
