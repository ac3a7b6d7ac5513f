/**
 * Pure timing logic of the failover suite: turn poll samples (taken every <= 50 ms from every
 * surviving node) into detection / promotion / cluster-ok times, and a client's operation log into
 * failed-operation counts and error windows. Times are ms since the fault was injected.
 */

/** What one node answered in one poll. */
export interface NodeView {
  port: number;
  /** cluster_state from CLUSTER INFO; undefined when the node did not answer. */
  state?: string;
  /** How this node sees the victim: `fail` once a majority agreed. */
  victimHealth?: 'ok' | 'pfail' | 'fail' | 'absent';
  /** The node's own role (myself line of CLUSTER NODES). */
  role?: 'master' | 'replica';
}

export interface PollSample {
  /** ms since the fault, taken when the replies arrived (an upper bound for the event). */
  t: number;
  nodes: NodeView[];
}

export interface Timeline {
  /** First sample where any surviving node flags the victim `fail`. */
  detectionMs?: number;
  /** First sample where the watched replica reports itself master. */
  promotionMs?: number;
  /** First sample at or after promotion where every surviving node answers cluster_state:ok. */
  clusterOkMs?: number;
  /** How long any node reported a state other than ok (sum over sample intervals). */
  stateNotOkMs: number;
  /** Largest interval between consecutive samples: the real polling resolution. */
  maxPollGapMs: number;
  samples: number;
}

export function timelineOf(samples: readonly PollSample[], watch: { replicaPort?: number }): Timeline {
  let detectionMs: number | undefined;
  let promotionMs: number | undefined;
  let clusterOkMs: number | undefined;
  let stateNotOkMs = 0;
  let maxPollGapMs = 0;
  let prevT = 0;
  for (const s of samples) {
    const gap = s.t - prevT;
    maxPollGapMs = Math.max(maxPollGapMs, gap);
    if (s.nodes.some((n) => n.state !== undefined && n.state !== 'ok')) stateNotOkMs += gap;
    prevT = s.t;
    if (detectionMs === undefined && s.nodes.some((n) => n.victimHealth === 'fail')) detectionMs = s.t;
    const replica = watch.replicaPort === undefined ? undefined : s.nodes.find((n) => n.port === watch.replicaPort);
    if (promotionMs === undefined && replica?.role === 'master') promotionMs = s.t;
    const promoted = watch.replicaPort === undefined || promotionMs !== undefined;
    if (clusterOkMs === undefined && promoted && detectionMs !== undefined && s.nodes.length > 0 && s.nodes.every((n) => n.state === 'ok')) {
      clusterOkMs = s.t;
    }
  }
  const r = (v?: number) => (v === undefined ? undefined : Math.round(v));
  return { detectionMs: r(detectionMs), promotionMs: r(promotionMs), clusterOkMs: r(clusterOkMs), stateNotOkMs: Math.round(stateNotOkMs), maxPollGapMs: Math.round(maxPollGapMs), samples: samples.length };
}

/** One client operation, times in ms since the fault (negative = before it). */
export interface OpRecord {
  start: number;
  end: number;
  ok: boolean;
  /** Short error text (first word is the Redis error code, e.g. CLUSTERDOWN). */
  error?: string;
}

export interface ErrorWindow {
  ops: number;
  failed: number;
  /** From the start of the first failed operation to the end of the last failed one (0 if none failed). */
  errorWindowMs: number;
  /** Longest interval without a successful completion, from the fault to the end of the log. */
  maxStallMs: number;
  /** Slowest single operation (a hang shows here). */
  slowestOpMs: number;
  /** Error codes seen, with counts. */
  errors: Record<string, number>;
}

export function errorWindowOf(ops: readonly OpRecord[]): ErrorWindow {
  const failed = ops.filter((o) => !o.ok);
  const errors: Record<string, number> = {};
  for (const o of failed) {
    const code = errorCode(o.error);
    errors[code] = (errors[code] ?? 0) + 1;
  }
  const errorWindowMs = failed.length ? Math.max(...failed.map((o) => o.end)) - Math.min(...failed.map((o) => o.start)) : 0;
  // Stall: gaps between successful completions, counted from the fault (t=0) on.
  const doneAt = ops
    .filter((o) => o.ok)
    .map((o) => o.end)
    .sort((a, b) => a - b);
  let last = 0;
  let maxStallMs = 0;
  for (const t of doneAt) {
    if (t < 0) continue;
    maxStallMs = Math.max(maxStallMs, t - last);
    last = t;
  }
  const lastEnd = ops.length ? Math.max(...ops.map((o) => o.end)) : 0;
  maxStallMs = Math.max(maxStallMs, lastEnd - last);
  const slowestOpMs = ops.length ? Math.max(...ops.map((o) => o.end - o.start)) : 0;
  return { ops: ops.length, failed: failed.length, errorWindowMs: Math.round(errorWindowMs), maxStallMs: Math.round(maxStallMs), slowestOpMs: Math.round(slowestOpMs), errors };
}

/** The error code of a Redis/ioredis error text: CLUSTERDOWN, MOVED, TRYAGAIN, CROSSSLOT, or a short client reason. */
export function errorCode(message: string | undefined): string {
  if (!message) return 'UNKNOWN';
  const m = /\b(CLUSTERDOWN|TRYAGAIN|CROSSSLOT|MOVED|ASK|LOADING|READONLY|MASTERDOWN|NOREPLICAS)\b/.exec(message);
  if (m) return m[1];
  if (/timed? ?out/i.test(message)) return 'TIMEOUT';
  if (/redirections/i.test(message)) return 'REDIRECTIONS';
  if (/ECONNREFUSED|Connection is closed|ECONNRESET|EPIPE|disconnect/i.test(message)) return 'CONNECTION';
  return message.split(/\s/)[0].slice(0, 24) || 'UNKNOWN';
}
