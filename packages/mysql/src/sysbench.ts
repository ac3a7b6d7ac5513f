import { DevstackError, LatencyRecorder, runCommand, which } from '@devstack/core';
import { sysbenchConnection, type MysqlSession } from './connection';
import { parseSysbenchOutput, recordSysbenchHistogram, type SysbenchSummary } from './sysbench-output';

export const SYSBENCH_WORKLOADS = ['oltp_read_write', 'oltp_read_only', 'oltp_write_only'] as const;
export type SysbenchWorkload = (typeof SYSBENCH_WORKLOADS)[number];

export function sysbenchBinary(): string {
  const bin = which('sysbench');
  if (!bin) throw new DevstackError('TOOL_MISSING', 'sysbench is not installed (not found on PATH).', { fix: 'Run tools/setup.sh (apt-get install sysbench).' });
  return bin;
}

export interface SysbenchTables {
  tables: number;
  rows: number;
}

export async function sysbenchPrepare(session: MysqlSession, size: SysbenchTables, signal?: AbortSignal): Promise<void> {
  const { args, env } = sysbenchConnection(session);
  const r = await runCommand(sysbenchBinary(), ['oltp_read_write', ...args, `--tables=${size.tables}`, `--table-size=${size.rows}`, 'prepare'], { env, signal, timeoutMs: 600_000 });
  if (r.code !== 0) throw new DevstackError('ENVIRONMENT', `sysbench prepare failed: ${lastLines(r.stderr || r.stdout)}`);
}

export interface SysbenchRunInput extends SysbenchTables {
  workload: SysbenchWorkload;
  threads: number;
  durationS: number;
}

export interface SysbenchRun {
  summary: SysbenchSummary;
  recorder: LatencyRecorder;
}

export async function runSysbench(session: MysqlSession, input: SysbenchRunInput, signal?: AbortSignal): Promise<SysbenchRun> {
  const { args, env } = sysbenchConnection(session);
  const r = await runCommand(
    sysbenchBinary(),
    [input.workload, ...args, `--tables=${input.tables}`, `--table-size=${input.rows}`, `--threads=${input.threads}`, `--time=${input.durationS}`, '--histogram', '--percentile=95', 'run'],
    { env, signal, timeoutMs: (input.durationS + 120) * 1000 },
  );
  if (r.code !== 0) throw new DevstackError('ENVIRONMENT', `sysbench ${input.workload} failed (exit ${r.code}): ${lastLines(r.stderr || r.stdout)}`);
  const recorder = new LatencyRecorder();
  recordSysbenchHistogram(r.stdout, recorder);
  return { summary: parseSysbenchOutput(r.stdout), recorder };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
