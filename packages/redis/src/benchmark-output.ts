import { DevstackError } from '@devstack/core';

/** One row of `redis-benchmark --csv`: throughput and the tool's own latency percentiles (ms). */
export interface BenchmarkRow {
  /** The test name as printed: "SET", "GET", or a custom command line ("SET {bench2}:__rand_int__ vvv"). */
  test: string;
  /** The command word, upper-case ("SET"). */
  command: string;
  rps: number;
  avgMs: number;
  minMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

const HEADER = ['test', 'rps', 'avg_latency_ms', 'min_latency_ms', 'p50_latency_ms', 'p95_latency_ms', 'p99_latency_ms', 'max_latency_ms'];

/** Split one CSV line of quoted fields (redis-benchmark quotes every field and never embeds quotes). */
function fields(line: string): string[] | undefined {
  const m = line.match(/"([^"]*)"/g);
  return m ? m.map((f) => f.slice(1, -1)) : undefined;
}

/**
 * Parse `redis-benchmark --csv` output. --cluster mode prints a "Cluster has N master nodes" preamble
 * on stdout before the CSV; anything that is not the header or a data row is skipped. Errors the tool
 * prints instead of rows ("Error from server: MOVED ...") are raised, not ignored.
 */
export function parseBenchmarkCsv(text: string): BenchmarkRow[] {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => /^(Error|ERR|.*replied with error)/i.test(l));
  if (error) throw new DevstackError('CHECK_FAILED', `redis-benchmark reported an error: ${error}`);
  const headerAt = lines.findIndex((l) => fields(l)?.join(',') === HEADER.join(','));
  if (headerAt < 0) throw new DevstackError('CHECK_FAILED', 'redis-benchmark printed no CSV header; was --csv passed?');
  const rows: BenchmarkRow[] = [];
  for (const line of lines.slice(headerAt + 1)) {
    const f = fields(line);
    if (!f || f.length !== HEADER.length) continue;
    const n = f.slice(1).map(Number);
    if (n.some((v) => !Number.isFinite(v))) throw new DevstackError('CHECK_FAILED', `redis-benchmark row with a non-numeric field: ${line}`);
    rows.push({ test: f[0], command: f[0].split(' ')[0].toUpperCase(), rps: n[0], avgMs: n[1], minMs: n[2], p50Ms: n[3], p95Ms: n[4], p99Ms: n[5], maxMs: n[6] });
  }
  if (rows.length === 0) throw new DevstackError('CHECK_FAILED', 'redis-benchmark printed a header but no result rows.');
  return rows;
}
