import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  compareInterleaved,
  latencyMetric,
  loadConfig,
  metricFromTrials,
  regressTask,
  startResult,
  writeBaseline,
  writeResult,
  baselineFromMetrics,
  machineFingerprint,
  type BenchOptions,
  type LatencySnapshot,
  type LoadedConfig,
  type Metric,
  type TaskResult,
} from '@devstack/core';

const WS = path.resolve(__dirname, '../../..');

const snap = (p50: number, p95: number, p99: number): LatencySnapshot => ({ count: 1000, min: p50 / 2, mean: p50, p50, p90: p95 * 0.9, p95, p99, max: p99 * 2 });

/** Controlled bench metrics: throughput and a latency metric with percentiles. */
export function pgMetrics(tps: number[], p95: number[]): Metric[] {
  return [
    metricFromTrials('tps', 'tx/s', 'higher', tps),
    latencyMetric('select_1_ms', p95.map((v) => snap(v / 2, v, v * 1.5)), snap(0.8, 1.9, 3.1), { slo: 50 }),
  ];
}

const scratch: string[] = [];

/** A temporary workspace root (nx.json + configs/coverage.json), removed by removeScratch(). */
export function scratchWorkspace(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'report-ws-'));
  scratch.push(root);
  writeFileSync(path.join(root, 'nx.json'), '{}\n');
  mkdirSync(path.join(root, 'configs'), { recursive: true });
  cpSync(path.join(WS, 'configs', 'coverage.json'), path.join(root, 'configs', 'coverage.json'));
  return root;
}

export function removeScratch(): void {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * A temporary workspace holding results produced by core's own producers (writeBaseline,
 * writeResult, regressTask, compareInterleaved), so the report is tested against the real schema.
 */
export async function perfWorkspace(): Promise<{ root: string; config: LoadedConfig }> {
  const root = scratchWorkspace();
  const config = loadConfig({ root, env: {} });

  // postgres: baseline at 1000 tx/s, then a controlled 50% throughput drop -> regressed.
  writeBaseline(root, baselineFromMetrics('postgres', pgMetrics([1000, 1010, 990], [2, 2.1, 1.9]), machineFingerprint(), 'default', { name: 'PostgreSQL', version: '15.14' }, 'npx nx run postgres:baseline --quick'));
  const slowBench = async (): Promise<TaskResult> => {
    const r = startResult('postgres', 'bench');
    r.metrics.push(...pgMetrics([500, 505, 495], [2, 2.05, 1.95]));
    r.server = { name: 'PostgreSQL', version: '15.14' };
    return r.finish();
  };
  // The machine's real load must not decide the fixture: judged as a quiet machine.
  const regressed = await regressTask<BenchOptions>('postgres', slowBench, () => undefined)({ config, quick: true });
  writeResult(config.stateRoot, regressed);
  writeResult(config.stateRoot, await slowBench());

  // mysql: before/after tuning from the real interleaved comparison engine.
  const tune = startResult('mysql', 'tune', { profile: 'tuned' });
  const values: Record<string, number[]> = { default: [800, 810, 790, 805, 795], tuned: [1200, 1190, 1210, 1205, 1195] };
  const cmp = await compareInterleaved({
    trials: 5,
    before: { label: 'default', activate: async () => undefined },
    after: { label: 'tuned', activate: async () => undefined },
    measure: async (arm, t) => [metricFromTrials('qps', 'q/s', 'higher', [values[arm][t]])],
  });
  tune.tables.push(cmp.table);
  tune.metrics.push(...cmp.after);
  writeResult(config.stateRoot, tune.finish());

  // redis: a failover run with a timeline in data.
  const fo = startResult('redis', 'failover');
  fo.metrics.push(metricFromTrials('failover_ms', 'ms', 'lower', [2300, 2450, 2380]));
  fo.checks.push({ name: 'replica promoted within 10000 ms', passed: true, expected: '<= 10000 ms', observed: '2380 ms' });
  fo.data = { timeline: [{ atMs: 0, label: 'master killed' }, { atMs: 2100, label: 'replica marked master' }, { atMs: 2380, label: 'writes succeed' }] };
  writeResult(config.stateRoot, fo.finish());

  // load: a scenario result.
  const load = startResult('load', 'sustained');
  load.metrics.push(latencyMetric('http_req_ms', [snap(4, 9, 15)], snap(4, 9, 15), { slo: 100 }));
  load.checks.push({ name: 'p(95)<100', passed: true, observed: '9 ms' });
  writeResult(config.stateRoot, load.finish());
  return { root, config };
}

export function copyJestFixtures(stateRoot: string): void {
  const dir = path.join(stateRoot, 'results', 'jest');
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(__dirname, 'fixtures', 'jest'), dir, { recursive: true });
}
