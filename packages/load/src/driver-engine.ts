import { DevstackError, LatencyRecorder } from '@devstack/core';
import type { LoadedConfig } from '@devstack/core';
import { ROWS, TARGETS, type DriverTarget } from './driver-pools';
import { addKind, errorKind, metricNames, RouteTally, type LoadMeasurement } from './measurement';
import { list, parseDuration, type ScenarioDefinition } from './scenarios';

export interface DriverEngineInput {
  def: ScenarioDefinition;
  config: LoadedConfig;
  /** Connections per database pool (pg, mysql2, mongodb). */
  pool: number;
  progress?: (m: string) => void;
  signal?: AbortSignal;
}

const DRIVER_OF: Record<string, string> = { postgres: 'pg', mysql: 'mysql2', mongodb: 'mongodb', redis: 'ioredis Cluster' };

/**
 * shared-iterations over driver pools: `vus` concurrent workers take iterations from one counter
 * until `iterations` are done or `maxDuration` passes; iteration i reads from TARGETS[i % n].
 */
export async function runDriverScenario(input: DriverEngineInput): Promise<LoadMeasurement> {
  const { def, config } = input;
  const s = def.scenario;
  if (s.executor !== 'shared-iterations') throw new DevstackError('BAD_CONFIG', `${def.name}: the driver engine runs shared-iterations, not ${s.executor}.`);
  const names = list(s.env?.TARGETS);
  const unknown = names.filter((n) => !TARGETS[n]);
  if (names.length === 0 || unknown.length) {
    throw new DevstackError('BAD_CONFIG', `${def.name}: env.TARGETS must name some of ${Object.keys(TARGETS).join(', ')}; got "${s.env?.TARGETS ?? ''}".`);
  }
  const warnings: string[] = [];
  const warn = (m: string) => warnings.length < 20 && warnings.push(m);
  input.progress?.(`${def.name}: connecting ${names.join(', ')} (pool ${input.pool}) and seeding ${ROWS} rows each`);
  const targets: DriverTarget[] = [];
  try {
    for (const n of names) targets.push(await TARGETS[n](config, input.pool, warn));
  } catch (err) {
    await Promise.all(targets.map((t) => t.close().catch(() => undefined)));
    throw new DevstackError('SERVICE_DOWN', `${def.name}: cannot reach ${names[targets.length]}: ${(err as Error).message}`, {
      cause: err,
      fix: 'Start the stack: npx nx run stack:up (and check `npx nx run stack:status`).',
    });
  }
  const vus = s.vus ?? 1;
  const iterations = s.iterations ?? vus;
  const deadline = performance.now() + parseDuration(s.maxDuration ?? '10m') * 1000;
  const rec = new LatencyRecorder();
  const tally = new RouteTally(names);
  const kinds: Record<string, number> = {};
  let next = 0;
  let failed = 0;
  input.progress?.(`${def.name}: ${iterations} single-row reads by ${vus} concurrent workers`);
  const worker = async () => {
    for (;;) {
      if (input.signal?.aborted || performance.now() > deadline) return;
      const i = next++;
      if (i >= iterations) return;
      const target = targets[i % targets.length];
      const t0 = performance.now();
      try {
        if (await target.read(1 + Math.floor(Math.random() * ROWS))) {
          const ms = performance.now() - t0;
          rec.recordMs(ms);
          tally.ok(target.name, ms);
        } else {
          failed += 1;
          addKind(kinds, `${target.name}: row missing`);
          tally.fail(target.name, 'row missing');
        }
      } catch (err) {
        failed += 1;
        addKind(kinds, `${target.name}: ${errorKind(err)}`);
        tally.fail(target.name, errorKind(err));
      }
    }
  };
  const t0 = performance.now();
  try {
    await Promise.all(Array.from({ length: vus }, worker));
  } finally {
    await Promise.all(targets.map((t) => t.close().catch(() => undefined)));
  }
  const durationS = (performance.now() - t0) / 1000;
  const ops = Math.min(next, iterations);
  const latency = rec.snapshot();
  rec.destroy();
  if (ops < iterations) addKind(kinds, `not started before maxDuration ${s.maxDuration}`, iterations - ops);
  return {
    engine: 'builtin',
    tool: `drivers: ${names.map((n) => DRIVER_OF[n]).join(', ')}`,
    scenario: def.name,
    target: `direct: ${names.join(',')}`,
    durationS: Math.round(durationS * 1000) / 1000,
    ops,
    throughput: Math.round((ops / durationS) * 10) / 10,
    latency,
    failed: failed + (iterations - ops),
    errorRate: iterations ? (failed + iterations - ops) / iterations : 0,
    errorKinds: kinds,
    ...metricNames(s.exec),
    maxVus: vus,
    routes: tally.finish(),
    warnings,
  };
}
