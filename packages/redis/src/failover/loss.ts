/**
 * Acknowledged-write accounting. Every write of the suite goes to its own key, so a lost write cannot
 * hide behind a later overwrite: after the fault each key is read back and compared with what the
 * client was told.
 */
export type WriteOutcome =
  /** The server answered OK. `replicas` is WAIT's answer (>= 1: a replica had it too). */
  | 'acked'
  /** The client got an error or a timeout: the write may or may not have happened. */
  | 'failed';

export interface WriteRecord {
  key: string;
  value: string;
  outcome: WriteOutcome;
  /** Replicas that confirmed the write (WAIT reply); 0 when WAIT timed out, -1 when not asked. */
  replicas: number;
}

export interface LossReport {
  writes: number;
  acked: number;
  /** Acked and confirmed by WAIT on >= 1 replica: these must survive a single failure. */
  replicatedAcked: number;
  /** Acked writes whose key no longer holds the value. */
  lostAcked: number;
  /** ... of which WAIT-confirmed: the figure that must be 0. */
  lostReplicated: number;
  failed: number;
  /** Failed (indeterminate) writes that did land: allowed, but reported. */
  failedButApplied: number;
  /** Keys holding a value the client never wrote there: always a defect. */
  foreign: number;
  /** A few lost keys, for the report. */
  examples: string[];
}

/** Compare what the client was told with what the cluster holds now (null = key missing). */
export function accountLoss(writes: readonly WriteRecord[], finalValues: ReadonlyMap<string, string | null>): LossReport {
  const r: LossReport = { writes: writes.length, acked: 0, replicatedAcked: 0, lostAcked: 0, lostReplicated: 0, failed: 0, failedButApplied: 0, foreign: 0, examples: [] };
  for (const w of writes) {
    if (!finalValues.has(w.key)) throw new Error(`no final value read for key ${w.key}`);
    const now = finalValues.get(w.key);
    if (now !== null && now !== undefined && now !== w.value) r.foreign++;
    if (w.outcome === 'failed') {
      r.failed++;
      if (now === w.value) r.failedButApplied++;
      continue;
    }
    r.acked++;
    if (w.replicas >= 1) r.replicatedAcked++;
    if (now !== w.value) {
      r.lostAcked++;
      if (w.replicas >= 1) r.lostReplicated++;
      if (r.examples.length < 5) r.examples.push(w.key);
    }
  }
  return r;
}

/** Sum several reports (the run total across scenarios). */
export function addLoss(reports: readonly LossReport[]): LossReport {
  const total: LossReport = { writes: 0, acked: 0, replicatedAcked: 0, lostAcked: 0, lostReplicated: 0, failed: 0, failedButApplied: 0, foreign: 0, examples: [] };
  for (const r of reports) {
    for (const k of ['writes', 'acked', 'replicatedAcked', 'lostAcked', 'lostReplicated', 'failed', 'failedButApplied', 'foreign'] as const) total[k] += r[k];
    total.examples.push(...r.examples.slice(0, Math.max(0, 5 - total.examples.length)));
  }
  return total;
}
