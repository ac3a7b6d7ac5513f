import type { LatencyRecorder } from '@devstack/core';

/** The summary pgbench prints at the end of a run (pgbench 15 format). */
export interface PgbenchSummary {
  transactionType: string;
  scale: number;
  clients: number;
  threads: number;
  durationS?: number;
  processed: number;
  failed: number;
  latencyAvgMs: number;
  latencyStddevMs?: number;
  initialConnectionMs?: number;
  /** Transactions per second, without the initial connection time. */
  tps: number;
}

function num(text: string, re: RegExp): number | undefined {
  const m = re.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Parse pgbench's stdout. Throws when the fields every run prints are missing (not a pgbench summary). */
export function parsePgbenchOutput(text: string): PgbenchSummary {
  const type = /^transaction type: (.+)$/m.exec(text)?.[1]?.trim();
  const tps = num(text, /^tps = ([\d.]+) \(without initial connection time\)/m);
  const processed = num(text, /^number of transactions actually processed: (\d+)/m);
  const latency = num(text, /^latency average = ([\d.]+) ms/m);
  if (!type || tps === undefined || processed === undefined || latency === undefined) {
    throw new Error(`not a pgbench summary (missing ${[!type && 'transaction type', tps === undefined && 'tps', processed === undefined && 'transactions processed', latency === undefined && 'latency average'].filter(Boolean).join(', ')})`);
  }
  return {
    transactionType: type.replace(/^<builtin: (.+)>$/, '$1'),
    scale: num(text, /^scaling factor: (\d+)/m) ?? 0,
    clients: num(text, /^number of clients: (\d+)/m) ?? 0,
    threads: num(text, /^number of threads: (\d+)/m) ?? 0,
    durationS: num(text, /^duration: (\d+) s/m),
    processed,
    // pgbench < 15 prints no failed line; absent means none were counted.
    failed: num(text, /^number of failed transactions: (\d+)/m) ?? 0,
    latencyAvgMs: latency,
    latencyStddevMs: num(text, /^latency stddev = ([\d.]+) ms/m),
    initialConnectionMs: num(text, /^initial connection time = ([\d.]+) ms/m),
    tps,
  };
}

/**
 * pgbench's per-transaction log (-l): `client_id transaction_no time script_no time_epoch time_us`,
 * where `time` is the transaction's latency in microseconds. Each line goes into the HDR histogram;
 * failed transactions (time "failed"/"skipped") are counted, not recorded as latencies.
 */
export function recordPgbenchLog(text: string, recorder: LatencyRecorder): { recorded: number; failed: number } {
  let recorded = 0;
  let failed = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const us = Number(f[2]);
    if (Number.isFinite(us)) {
      recorder.recordMs(us / 1000);
      recorded++;
    } else if (f[2] === 'failed' || f[2] === 'skipped') failed++;
  }
  return { recorded, failed };
}
