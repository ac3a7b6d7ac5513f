import { readdirSync, readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { K6_TREND_STATS } from '../src/k6-runner';
import { readScenarioFile, SCENARIO_NAMES } from '../src/scenarios';

/** The k6 operator TestRun manifests: one per scenario, runnable as shipped. */
const root = path.resolve(__dirname, '../../..');
const dir = path.join(root, 'k6', 'operator');
const scenarios = readScenarioFile(root).scenarios;

interface TestRun {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: {
    parallelism: number;
    script: { configMap: { name: string; file: string } };
    arguments?: string;
    runner: { env: { name: string; value: string }[] };
  };
}

const manifests = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => [f.replace(/\.yaml$/, ''), parse(readFileSync(path.join(dir, f), 'utf8')) as TestRun]),
);

describe('k6 operator TestRun manifests', () => {
  it('exist for exactly the five scenarios', () => {
    expect(Object.keys(manifests).sort()).toEqual([...SCENARIO_NAMES].sort());
  });

  it.each(SCENARIO_NAMES)('%s: TestRun of k6.io/v1alpha1 running its own script from the shared ConfigMap', (name) => {
    const m = manifests[name];
    expect(m.apiVersion).toBe('k6.io/v1alpha1');
    expect(m.kind).toBe('TestRun');
    expect(m.metadata.name).toBe(`devstack-${name}`);
    expect(m.metadata.name).toMatch(/^[a-z0-9-]{1,63}$/);
    expect(m.spec.script.configMap).toEqual({ name: 'devstack-k6-scripts', file: `${name}.js` });
    expect(existsSync(path.join(root, 'k6', m.spec.script.configMap.file))).toBe(true);
  });

  it.each(SCENARIO_NAMES)('%s: parallelism splits the VUs evenly and the api endpoint comes in as env', (name) => {
    const m = manifests[name];
    const s = scenarios[name];
    const peak = Math.max(s.vus ?? 0, s.startVUs ?? 0, ...(s.stages ?? []).map((st) => st.target));
    expect(Number.isInteger(m.spec.parallelism)).toBe(true);
    expect(m.spec.parallelism).toBeGreaterThanOrEqual(1);
    expect(peak % m.spec.parallelism).toBe(0);
    const env = Object.fromEntries(m.spec.runner.env.map((e) => [e.name, e.value]));
    expect(env.API_URL).toMatch(/^https?:\/\/[a-z0-9.-]+:\d+$/);
    expect(m.spec.arguments).toContain(`--summary-trend-stats=${K6_TREND_STATS}`);
  });
});
