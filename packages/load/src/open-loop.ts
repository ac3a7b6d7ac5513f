import * as http from 'node:http';
import * as hdr from 'hdr-histogram-js';
import { LatencyRecorder, type LatencySnapshot } from '@devstack/core';
import { addKind, errorKind } from './measurement';

/** Latency and failures of one route (api path, or driver target) within a run. */
export interface RouteStats {
  route: string;
  /** Completed requests, successful or not. */
  ops: number;
  failed: number;
  errorRate: number;
  /** Successful requests only (HDR histogram, ms). */
  latency: LatencySnapshot;
  errorKinds: Record<string, number>;
}

/** A failed request: when it should have been sent and when it failed, ms since the run's start. */
export interface FailureEvent {
  sentMs: number;
  doneMs: number;
  route: string;
  kind: string;
}

/** One time slice of a run (by intended send time): what a dashboard would plot. */
export interface TimeBucket {
  atMs: number;
  ops: number;
  failed: number;
  p95: number;
  p99: number;
}

export interface GeneratorUsage {
  /** CPU of this process over the run, % of one core (100 = one core busy). */
  cpuPct: number;
  rssMaxMiB: number;
  /** Worst lateness of a send against its schedule (event-loop stalls of the generator itself). */
  maxSendLagMs: number;
  /** 95th percentile of that lateness: the generator's own share of the latency tail. */
  sendLagP95Ms: number;
}

export interface OpenLoopResult {
  /** Requested arrival rate, req/s. */
  rate: number;
  /** Requests sent in the measured window (= rate x seconds unless aborted; settle traffic not counted). */
  sent: number;
  ops: number;
  /** Completed requests per second of wall time. */
  achievedRate: number;
  durationS: number;
  /** All routes merged: successful requests, latency from the intended send time. */
  latency: LatencySnapshot;
  failed: number;
  errorRate: number;
  errorKinds: Record<string, number>;
  routes: RouteStats[];
  failures: FailureEvent[];
  buckets: TimeBucket[];
  generator: GeneratorUsage;
}

export interface OpenLoopInput {
  baseUrl: string;
  /** Requested in turn (round robin), like k6's httpMix and autocannon's request list. */
  paths: string[];
  /** Arrival rate, requests per second. */
  rate: number;
  /** Measured seconds (after settleSeconds). */
  seconds: number;
  /**
   * Seconds of traffic at `rate` before the measured window: sent on the same schedule but not recorded
   * (a rate change makes the api open connections and the servers warm caches; a stepped search judges
   * the steady state that follows, as wrk2's and k6's ramp-ups are left out of their summaries).
   */
  settleSeconds?: number;
  /** A request not answered this long after its intended send time fails as "timeout". */
  timeoutMs?: number;
  /** Sockets of the keep-alive agent; requests beyond it wait in the agent's queue (and that wait counts). */
  connections?: number;
  /** Reuse one agent (and its open connections) across steps. */
  agent?: http.Agent;
  /** Width of the time buckets, ms (0: none). */
  bucketMs?: number;
  /** Called once the schedule is running, with the time base (performance.now() of t = 0). */
  onStart?: (t0: number) => void;
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 5000;
const MAX_FAILURE_EVENTS = 50_000;

export function openLoopAgent(connections = 256): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
}

/** A small histogram per time bucket (2 significant digits: a 250 ms slice needs no more). */
function bucketHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 2, bitBucketSize: 32, useWebAssembly: false });
}

/**
 * Open-loop load (wrk2's model): request i is due at t0 + i/rate whatever happened to earlier
 * requests, and its latency runs from that intended time, not from when a socket was free. A server
 * that stalls for a second therefore shows a second in the tail instead of a pause in sending.
 */
export async function runOpenLoop(input: OpenLoopInput): Promise<OpenLoopResult> {
  const { rate, seconds } = input;
  if (!(rate > 0) || !(seconds > 0)) throw new TypeError(`runOpenLoop: rate and seconds must be positive (got ${rate}, ${seconds})`);
  if (input.paths.length === 0) throw new TypeError('runOpenLoop: at least one path');
  const url = new URL(input.baseUrl);
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ownAgent = !input.agent;
  const agent = input.agent ?? openLoopAgent(input.connections);
  const settleS = Math.max(0, input.settleSeconds ?? 0);
  const settleCount = Math.round(rate * settleS);
  const total = settleCount + Math.max(1, Math.round(rate * seconds));
  /** When the first measured request is due, ms after t0. */
  const measuredFrom = (settleCount * 1000) / rate;
  const all = new LatencyRecorder();
  const perRoute = new Map(input.paths.map((p) => [p, { rec: new LatencyRecorder(), ops: 0, failed: 0, kinds: {} as Record<string, number> }]));
  const kinds: Record<string, number> = {};
  const failures: FailureEvent[] = [];
  const bucketMs = input.bucketMs ?? 0;
  const buckets = new Map<number, { h: hdr.Histogram; ops: number; failed: number }>();
  let ops = 0;
  let failed = 0;
  let sent = 0;
  let inFlight = 0;
  let maxLag = 0;
  const lagHist = bucketHistogram();
  let rssMax = process.memoryUsage.rss();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  input.onStart?.(t0);

  const bucketOf = (sentMs: number) => {
    const k = Math.floor(sentMs / bucketMs);
    let b = buckets.get(k);
    if (!b) buckets.set(k, (b = { h: bucketHistogram(), ops: 0, failed: 0 }));
    return b;
  };

  let finish!: () => void;
  const drained = new Promise<void>((resolve) => (finish = resolve));
  const settle = () => {
    if (inFlight === 0 && (sent >= total || input.signal?.aborted)) finish();
  };

  const send = (i: number) => {
    const route = input.paths[i % input.paths.length];
    const r = perRoute.get(route)!;
    const intended = t0 + (i * 1000) / rate;
    const lag = performance.now() - intended;
    maxLag = Math.max(maxLag, lag);
    lagHist.recordValue(Math.max(1, Math.round(lag * 1000)));
    inFlight += 1;
    let done = false;
    const complete = (kind?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      inFlight -= 1;
      // Settle traffic: sent and answered, never recorded.
      if (i < settleCount) return settle();
      ops += 1;
      r.ops += 1;
      const now = performance.now();
      // Due time from the first measured request's, in exact arithmetic: (t0 + 500) - t0 - 500 can be
      // -1e-13 and put request 0 into bucket -1.
      const sentMs = ((i - settleCount) * 1000) / rate;
      const b = bucketMs ? bucketOf(sentMs) : undefined;
      if (b) b.ops += 1;
      if (kind === undefined) {
        const ms = now - intended;
        all.recordMs(ms);
        r.rec.recordMs(ms);
        b?.h.recordValue(Math.max(1, Math.round(ms * 1000)));
      } else {
        failed += 1;
        r.failed += 1;
        if (b) b.failed += 1;
        addKind(kinds, kind);
        addKind(r.kinds, kind);
        if (failures.length < MAX_FAILURE_EVENTS) failures.push({ sentMs: Math.round(sentMs * 10) / 10, doneMs: Math.round((now - t0 - measuredFrom) * 10) / 10, route, kind });
      }
      settle();
    };
    const req = http.request({ agent, host: url.hostname, port: url.port, path: route, method: 'GET' }, (res) => {
      const status = res.statusCode ?? 0;
      res.on('error', (err) => complete(errorKind(err)));
      res.on('end', () => complete(status >= 200 && status < 300 ? undefined : `http ${status}`));
      res.resume();
    });
    req.on('error', (err) => complete((err as Error).message === 'request timed out' ? 'timeout' : errorKind(err)));
    // Node's timers run on the loop's cached millisecond clock and may fire up to 1 ms before
    // performance.now() reaches the deadline; re-arm until it truly has passed.
    const deadline = intended + timeoutMs;
    const expire = () => {
      const left = deadline - performance.now();
      if (left > 0) timer = setTimeout(expire, Math.max(1, Math.ceil(left)));
      else req.destroy(new Error('request timed out'));
    };
    let timer = setTimeout(expire, Math.max(1, Math.ceil(deadline - performance.now())));
    req.end();
  };

  // The scheduler: every tick sends what is due by now; a late tick sends the backlog at once, and
  // each of those requests is still timed from its own due time.
  await new Promise<void>((resolve) => {
    const tick = () => {
      if (input.signal?.aborted) return resolve();
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      while (sent < due) send(sent++);
      rssMax = Math.max(rssMax, process.memoryUsage.rss());
      if (sent >= total) return resolve();
      const nextDue = t0 + (sent * 1000) / rate;
      setTimeout(tick, Math.max(0, Math.min(50, nextDue - performance.now() - 0.5)));
    };
    tick();
  });
  settle();
  if (inFlight > 0) await drained;
  const wallS = (performance.now() - t0) / 1000;
  const durationS = Math.max(0.001, wallS - settleS);
  const used = process.cpuUsage(cpu0);
  if (ownAgent) agent.destroy();

  const routes: RouteStats[] = [...perRoute.entries()].map(([route, r]) => {
    const latency = r.rec.snapshot();
    r.rec.destroy();
    return { route, ops: r.ops, failed: r.failed, errorRate: r.ops ? r.failed / r.ops : 0, latency, errorKinds: r.kinds };
  });
  const latency = all.snapshot();
  all.destroy();
  const sendLagP95 = Math.round(lagHist.getValueAtPercentile(95) / 100) / 10;
  lagHist.destroy();
  const ms = (us: number) => Math.round(us) / 1000;
  const timeline = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([k, b]) => {
      const out = { atMs: k * bucketMs, ops: b.ops, failed: b.failed, p95: ms(b.h.getValueAtPercentile(95)), p99: ms(b.h.getValueAtPercentile(99)) };
      b.h.destroy();
      return out;
    });
  return {
    rate,
    sent: Math.max(0, sent - settleCount),
    ops,
    achievedRate: Math.round((ops / durationS) * 10) / 10,
    durationS: Math.round(durationS * 1000) / 1000,
    latency,
    failed,
    errorRate: ops ? failed / ops : 0,
    errorKinds: kinds,
    routes,
    failures,
    buckets: timeline,
    generator: {
      // Over the whole run, settle included: that is when the CPU was used.
      cpuPct: Math.round((((used.user + used.system) / 1000 / (wallS * 1000)) * 100) * 10) / 10,
      rssMaxMiB: Math.round((rssMax / 1048576) * 10) / 10,
      maxSendLagMs: Math.round(maxLag * 10) / 10,
      sendLagP95Ms: sendLagP95,
    },
  };
}
