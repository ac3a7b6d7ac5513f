import type { LatencyRecorder } from '@devstack/core';

/** The report sysbench 1.0 prints after `run`. */
export interface SysbenchSummary {
  threads: number;
  transactions: number;
  /** Transactions per second. */
  tps: number;
  queries: number;
  qps: number;
  reads: number;
  writes: number;
  ignoredErrors: number;
  reconnects: number;
  totalTimeS: number;
  latency: { minMs: number; avgMs: number; maxMs: number; percentile?: number; percentileMs?: number };
}

function field(text: string, re: RegExp, what: string): number {
  const m = re.exec(text);
  if (!m) throw new Error(`not a sysbench report (missing ${what})`);
  return Number(m[1]);
}

export function parseSysbenchOutput(text: string): SysbenchSummary {
  const pct = /^\s*(\d+)th percentile:\s+([\d.]+)/m.exec(text);
  return {
    threads: field(text, /^Number of threads: (\d+)/m, 'number of threads'),
    transactions: field(text, /^\s*transactions:\s+(\d+)/m, 'transactions'),
    tps: field(text, /^\s*transactions:\s+\d+\s+\(([\d.]+) per sec\.\)/m, 'transactions per sec'),
    queries: field(text, /^\s*queries:\s+(\d+)/m, 'queries'),
    qps: field(text, /^\s*queries:\s+\d+\s+\(([\d.]+) per sec\.\)/m, 'queries per sec'),
    reads: field(text, /^\s*read:\s+(\d+)/m, 'read'),
    writes: field(text, /^\s*write:\s+(\d+)/m, 'write'),
    ignoredErrors: field(text, /^\s*ignored errors:\s+(\d+)/m, 'ignored errors'),
    reconnects: field(text, /^\s*reconnects:\s+(\d+)/m, 'reconnects'),
    totalTimeS: field(text, /^\s*total time:\s+([\d.]+)s/m, 'total time'),
    latency: {
      minMs: field(text, /^\s*min:\s+([\d.]+)/m, 'latency min'),
      avgMs: field(text, /^\s*avg:\s+([\d.]+)/m, 'latency avg'),
      maxMs: field(text, /^\s*max:\s+([\d.]+)/m, 'latency max'),
      ...(pct ? { percentile: Number(pct[1]), percentileMs: Number(pct[2]) } : {}),
    },
  };
}

/**
 * The `--histogram` block ("value |*** count", values in ms) into an HDR histogram, each bucket
 * with its count, so trials merge as histograms. Returns how many events it recorded.
 */
export function recordSysbenchHistogram(text: string, recorder: LatencyRecorder): number {
  const start = text.indexOf('Latency histogram');
  if (start < 0) throw new Error('sysbench output has no latency histogram (run with --histogram)');
  let recorded = 0;
  for (const line of text.slice(start).split('\n').slice(2)) {
    const m = /^\s*([\d.]+)\s+\|[*\s]*?\s(\d+)\s*$/.exec(line);
    if (!m) {
      if (recorded > 0) break;
      continue;
    }
    const count = Number(m[2]);
    recorder.histogram.recordValueWithCount(Math.max(1, Math.round(Number(m[1]) * 1000)), count);
    recorded += count;
  }
  return recorded;
}
