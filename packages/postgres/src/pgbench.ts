import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BENCH_DATABASE, DevstackError, LatencyRecorder, runCommand } from '@devstack/core';
import { postgresBinDir } from '@devstack/runtime';
import { pgToolEnv, type PgSession } from './connection';
import { parsePgbenchOutput, recordPgbenchLog, type PgbenchSummary } from './pgbench-output';

export const PGBENCH_WORKLOADS = ['tpcb-like', 'select-only'] as const;
export type PgbenchWorkload = (typeof PGBENCH_WORKLOADS)[number];

/**
 * Fraction of transactions written to the per-transaction log. select-only runs tens of thousands
 * of transactions a second; a 10% sample keeps the log small and the percentiles sound.
 */
export const LOG_SAMPLING: Record<PgbenchWorkload, number> = { 'tpcb-like': 1, 'select-only': 0.1 };

/** pgbench lives with the server binaries (/usr/lib/postgresql/<major>/bin on Debian), not on PATH. */
export function pgbenchBinary(): string {
  const dir = postgresBinDir();
  if (!dir) {
    throw new DevstackError('TOOL_MISSING', 'pgbench not found (no /usr/lib/postgresql/*/bin and no postgres on PATH).', {
      fix: 'Run tools/setup.sh (installs Debian postgresql, which ships pgbench).',
    });
  }
  return path.join(dir, 'pgbench');
}

export async function pgbenchInit(session: PgSession, scale: number, signal?: AbortSignal): Promise<void> {
  const r = await runCommand(pgbenchBinary(), ['-i', '-q', '-s', String(scale), BENCH_DATABASE], { env: pgToolEnv(session), signal, timeoutMs: 600_000 });
  if (r.code !== 0) throw new DevstackError('ENVIRONMENT', `pgbench -i failed: ${lastLines(r.stderr)}`);
}

export interface PgbenchRunInput {
  workload: PgbenchWorkload;
  clients: number;
  threads: number;
  durationS: number;
}

export interface PgbenchRun {
  summary: PgbenchSummary;
  /** Per-transaction latencies from pgbench's log, in an HDR histogram. */
  recorder: LatencyRecorder;
  sampling: number;
}

export async function runPgbench(session: PgSession, input: PgbenchRunInput, signal?: AbortSignal): Promise<PgbenchRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'devstack-pgbench-'));
  const sampling = LOG_SAMPLING[input.workload];
  const args = [
    '-b', input.workload,
    '-c', String(input.clients),
    '-j', String(input.threads),
    '-T', String(input.durationS),
    '-l', '--log-prefix', path.join(dir, 'tx'),
    ...(sampling < 1 ? ['--sampling-rate', String(sampling)] : []),
    BENCH_DATABASE,
  ];
  try {
    const r = await runCommand(pgbenchBinary(), args, { env: pgToolEnv(session), signal, timeoutMs: (input.durationS + 120) * 1000 });
    if (r.code !== 0) throw new DevstackError('ENVIRONMENT', `pgbench ${input.workload} failed (exit ${r.code}): ${lastLines(r.stderr || r.stdout)}`);
    const summary = parsePgbenchOutput(r.stdout);
    const recorder = new LatencyRecorder();
    for (const f of readdirSync(dir)) recordPgbenchLog(readFileSync(path.join(dir, f), 'utf8'), recorder);
    return { summary, recorder, sampling };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
