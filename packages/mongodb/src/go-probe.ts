import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { DevstackError, LatencyRecorder } from '@devstack/core';
import { CpuMeter, PROJECT_TOOLS_BIN } from '@devstack/runtime';
import type { PointReadOutcome } from './workload';

/**
 * The Go-driver point-read probe (tools/mongo-pointread, built by tools/setup.sh into
 * .devstack/tools/bin): the same findOne({_id}) loop as `pointReads`, with a client that costs about a
 * third of the Node driver's CPU per read, so the figure is the server's more than the client's.
 */
export const GO_PROBE = 'mongo-pointread';

/** The probe's binary under the workspace root, or undefined when setup has not built it (no Go). */
export function goProbeBinary(root: string): string | undefined {
  const bin = path.join(root, PROJECT_TOOLS_BIN, GO_PROBE);
  return existsSync(bin) ? bin : undefined;
}

export interface GoProbeRequest {
  uri: string;
  database: string;
  collection: string;
  docs: number;
  concurrency: number;
  seconds: number;
  seed: number;
}

/** The probe's result line (tools/mongo-pointread/main.go `result`). */
export interface GoProbeResult {
  reads: number;
  misses: number;
  errors: number;
  firstError?: string;
  wallSeconds: number;
  cpuSeconds: number;
  latenciesUs: number[];
}

/** Parse and check one result line; a malformed line is the probe's bug, said as such. */
export function parseGoProbeResult(line: string): GoProbeResult {
  let r: Partial<GoProbeResult>;
  try {
    r = JSON.parse(line) as Partial<GoProbeResult>;
  } catch {
    throw new DevstackError('ENVIRONMENT', `${GO_PROBE} printed a line that is not JSON: ${line.slice(0, 200)}`, { fix: 'Rebuild it: bash tools/setup.sh' });
  }
  const counts = ['reads', 'misses', 'errors', 'wallSeconds', 'cpuSeconds'] as const;
  const bad = counts.filter((k) => typeof r[k] !== 'number' || !Number.isFinite(r[k]) || (r[k] as number) < 0);
  if (bad.length || !Array.isArray(r.latenciesUs) || r.latenciesUs.length !== r.reads) {
    throw new DevstackError('ENVIRONMENT', `${GO_PROBE} result is incomplete (${bad.length ? bad.join(', ') : 'latenciesUs does not hold one latency per read'}).`, { fix: 'Rebuild it: bash tools/setup.sh' });
  }
  return r as GoProbeResult;
}

/** A result as the bench's PointReadOutcome: reads per second of the timed window, its latencies, misses and errors. */
export function goProbeOutcome(r: GoProbeResult): PointReadOutcome {
  const latency = new LatencyRecorder();
  for (const us of r.latenciesUs) latency.recordMs(us / 1000);
  latency.errors = r.errors;
  return { opsPerSec: r.wallSeconds > 0 ? r.reads / r.wallSeconds : 0, latency, misses: r.misses };
}

/**
 * Run the probe once. The connection string (with its password) goes on stdin, never argv or the
 * environment. `serverGroups`: the server's process groups to meter over the timed window (the probe
 * reports its own CPU as `client`). The probe prints "ready" once its connections are open; the meter
 * starts, then "go" starts the window.
 */
export async function goPointReads(
  binary: string,
  request: GoProbeRequest,
  serverGroups: Record<string, number[]> | undefined,
  signal?: AbortSignal,
): Promise<{ outcome: PointReadOutcome; cpu?: { cpuSeconds: Record<string, number>; wallSeconds: number }; firstError?: string }> {
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  // A probe that exits early (a bad request) closes its stdin: its exit code and stderr say why.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (err) => {
      stderr.push(`cannot run ${binary}: ${err.message}`);
      resolve(null);
    });
    child.on('close', (code) => resolve(code));
  });
  const kill = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', kill, { once: true });
  // A probe that neither answers nor exits is killed: its window plus a minute for connecting.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, (request.seconds + 60) * 1000);
  try {
    child.stdin.write(`${JSON.stringify(request)}\n`);
    const lines = readline.createInterface({ input: child.stdout });
    let meter: CpuMeter | undefined;
    let result: GoProbeResult | undefined;
    let cpu: { cpuSeconds: Record<string, number>; wallSeconds: number } | undefined;
    for await (const line of lines) {
      if (line === '{"ready":true}') {
        meter = serverGroups ? await CpuMeter.start(serverGroups) : undefined;
        child.stdin.end('go\n');
      } else {
        result = parseGoProbeResult(line);
        const server = await meter?.stop();
        if (server) cpu = { cpuSeconds: { client: result.cpuSeconds, ...server.cpuSeconds }, wallSeconds: server.wallSeconds };
      }
    }
    const code = await exited;
    if (signal?.aborted) throw signal.reason;
    if (code !== 0 || !result) {
      const why = timedOut ? `no result ${request.seconds + 60} s after it started (killed)` : stderr.join('').trim() || `exit ${code}`;
      throw new DevstackError(code === 3 ? 'SERVICE_DOWN' : 'ENVIRONMENT', `${GO_PROBE} failed: ${why}`, {
        fix: code === 3 ? 'Check the stack: node packages/stack/dist/cli.js status' : 'Rebuild it (bash tools/setup.sh) or run the bench with --point-read-client node',
      });
    }
    return { outcome: goProbeOutcome(result), cpu, ...(result.firstError ? { firstError: result.firstError } : {}) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', kill);
    if (child.exitCode === null) kill();
  }
}
