import autocannon from 'autocannon';
import { LatencyRecorder, sleep } from '@devstack/core';
import { addKind, errorKind, metricNames, RouteTally, type LoadMeasurement } from './measurement';
import { list, stepsOf, type ScenarioDefinition } from './scenarios';

export interface HttpEngineInput {
  def: ScenarioDefinition;
  /** Base URL of the api, e.g. http://127.0.0.1:18080. */
  baseUrl: string;
  /** Per-request timeout, seconds (autocannon counts a timeout as an error). */
  timeoutS?: number;
  progress?: (m: string) => void;
  signal?: AbortSignal;
}

const AUTOCANNON_VERSION: string = (() => {
  try {
    return (require('autocannon/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

interface AutocannonClient {
  requestIterator?: { currentRequest?: { path?: string } };
}

/** One autocannon run at constant concurrency; every response lands in our HDR recorder. */
function runStep(url: string, paths: string[], vus: number, seconds: number, timeoutS: number, rec: LatencyRecorder, kinds: Record<string, number>, tally: RouteTally, signal?: AbortSignal): Promise<{ ops: number; failed: number }> {
  return new Promise((resolve, reject) => {
    let ops = 0;
    let failed = 0;
    const instance = autocannon(
      {
        url,
        connections: vus,
        // A VU of k6 is one connection with one request in flight: no pipelining.
        pipelining: 1,
        duration: Math.max(1, Math.round(seconds)),
        timeout: timeoutS,
        // Failures are tallied per route; with a single route the 'response' event says it all and
        // the per-request callback (which buffers bodies) stays off the hot path.
        requests: paths.map((p) => ({
          method: 'GET' as const,
          path: p,
          ...(paths.length > 1 ? { onResponse: (status: number) => status >= 300 && addKind(kinds, `http ${status} ${p}`) } : {}),
        })),
      },
      (err) => (err ? reject(err) : resolve({ ops, failed })),
    );
    instance.on('response', (client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      ops += 1;
      // With one request in flight per connection, the client's current request is the one answered.
      const route = (client as AutocannonClient)?.requestIterator?.currentRequest?.path ?? paths[0];
      if (statusCode >= 200 && statusCode < 300) {
        rec.recordMs(responseTime);
        tally.ok(route, responseTime);
      } else {
        failed += 1;
        tally.fail(route, `http ${statusCode}`);
        if (paths.length === 1) addKind(kinds, `http ${statusCode} ${paths[0]}`);
      }
    });
    instance.on('reqError', (err: Error) => {
      ops += 1;
      failed += 1;
      addKind(kinds, errorKind(err));
      // autocannon does not say which request a socket error or timeout hit.
      tally.fail(paths.length === 1 ? paths[0] : '(route unknown: socket error)', errorKind(err));
    });
    signal?.addEventListener('abort', () => instance.stop(), { once: true });
  });
}

/**
 * constant-vus and ramping-vus scenarios with autocannon: one connection per VU; a ramp runs as
 * consecutive steps (stepsOf), the histograms of all steps merged.
 */
export async function runHttpScenario(input: HttpEngineInput): Promise<LoadMeasurement> {
  const { def } = input;
  const paths = list(def.scenario.env?.PATHS);
  if (paths.length === 0) paths.push('/health');
  const steps = stepsOf(def.scenario);
  const rec = new LatencyRecorder();
  const tally = new RouteTally(paths);
  const kinds: Record<string, number> = {};
  let ops = 0;
  let failed = 0;
  const t0 = performance.now();
  for (const [i, step] of steps.entries()) {
    if (input.signal?.aborted) break;
    input.progress?.(`${def.name}: step ${i + 1}/${steps.length}: ${step.vus} VUs for ${step.seconds.toFixed(1)} s`);
    const r = await runStep(input.baseUrl, paths, step.vus, step.seconds, input.timeoutS ?? 10, rec, kinds, tally, input.signal);
    ops += r.ops;
    failed += r.failed;
    // Let closed sockets drain before the next step opens more (ramp steps reconnect).
    if (i < steps.length - 1) await sleep(50);
  }
  const durationS = (performance.now() - t0) / 1000;
  const latency = rec.snapshot();
  rec.destroy();
  return {
    engine: 'builtin',
    tool: `autocannon ${AUTOCANNON_VERSION}`,
    scenario: def.name,
    target: `${input.baseUrl} ${paths.join(',')}`,
    durationS: Math.round(durationS * 1000) / 1000,
    ops,
    throughput: Math.round((ops / durationS) * 10) / 10,
    latency,
    failed,
    errorRate: ops ? failed / ops : 0,
    errorKinds: kinds,
    ...metricNames(def.scenario.exec),
    maxVus: Math.max(...steps.map((s) => s.vus)),
    routes: tally.finish(),
  };
}
