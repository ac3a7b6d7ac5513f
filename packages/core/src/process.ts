import { spawn, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { DevstackError } from './errors';
import { redact } from './redact';

export interface StartOptions {
  /** Service name, used in errors. */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile?: string;
  uid?: number;
  gid?: number;
}

/** Start a long-running server detached from this process, output appended to its log file. */
export function startProcess(options: StartOptions): number {
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  if (options.uid !== undefined) {
    // The log must stay writable by the server's user when it reopens it itself.
    try {
      require('node:fs').fchownSync(fd, options.uid, options.gid ?? options.uid);
    } catch {
      /* not root: nothing to change */
    }
  }
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', fd, fd],
    uid: options.uid,
    gid: options.gid,
  };
  const child = spawn(options.command, options.args, spawnOptions);
  closeSync(fd);
  if (child.pid === undefined) {
    throw new DevstackError('TOOL_MISSING', `${options.name}: could not start ${options.command}.`, {
      fix: 'Run tools/setup.sh to install the stack servers.',
    });
  }
  child.on('error', () => undefined);
  child.unref();
  if (options.pidFile) {
    mkdirSync(path.dirname(options.pidFile), { recursive: true });
    writeFileSync(options.pidFile, `${child.pid}\n`);
  }
  return child.pid;
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie answers signal 0; /proc tells the truth on Linux.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim().split('\n')[0], 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** Send SIGTERM, wait up to timeoutMs for the process to exit, then SIGKILL. Resolves when it is gone. */
export async function stopPid(pid: number, options: { timeoutMs?: number; signal?: NodeJS.Signals } = {}): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    process.kill(pid, options.signal ?? 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + (options.timeoutMs ?? 15000);
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(20);
  return true;
}

/** True when something accepts TCP connections on host:port. */
export function canConnect(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when host:port can be bound (nothing listens there). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Description for the timeout error, e.g. "postgres to accept connections on 15432". */
  what: string;
  /** When given, a dead process ends the wait at once with its log tail. */
  pid?: number;
  logFile?: string;
  signal?: AbortSignal;
}

/** Poll `check` until it returns a truthy value; time out with the service's log tail in the error. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (options.pid !== undefined && !isAlive(options.pid)) {
      throw new DevstackError('SERVICE_DOWN', `Gave up waiting for ${options.what}: the process (pid ${options.pid}) exited.`, {
        fix: options.logFile ? `Read ${options.logFile}:\n${tailFile(options.logFile, 15)}` : undefined,
        cause: lastError,
      });
    }
    if (Date.now() >= deadline) {
      throw new DevstackError('SERVICE_DOWN', `Timed out after ${options.timeoutMs} ms waiting for ${options.what}.`, {
        fix: options.logFile ? `Read ${options.logFile}:\n${tailFile(options.logFile, 15)}` : undefined,
        cause: lastError,
      });
    }
    await sleep(options.intervalMs ?? 100, options.signal);
  }
}

export function waitForPort(host: string, port: number, options: Omit<WaitOptions, 'what'> & { what?: string }): Promise<true> {
  return waitFor(async () => ((await canConnect(host, port)) ? true : undefined), {
    ...options,
    what: options.what ?? `${host}:${port} to accept connections`,
  });
}

export function tailFile(file: string, lines: number): string {
  try {
    const size = statSync(file).size;
    const text = readFileSync(file, 'utf8').slice(Math.max(0, size - 16384));
    return redact(text.split('\n').slice(-lines - 1).join('\n'));
  } catch {
    return '(no log)';
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The run was killed at options.timeoutMs. */
  timedOut?: boolean;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  uid?: number;
  gid?: number;
  /** Called with each chunk of stdout, for progress on long tools. */
  onStdout?: (chunk: string) => void;
}

/** Run a command to completion and capture its output. Missing binaries are TOOL_MISSING (exit 3). */
export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      uid: options.uid,
      gid: options.gid,
    });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const onAbort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs) {
      timer = setTimeout(() => {
        stderr += `\n[devstack] killed after ${options.timeoutMs} ms`;
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs);
    }
    child.stdout.on('data', (d: Buffer) => {
      const s = d.toString();
      stdout += s;
      options.onStdout?.(s);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (err.code === 'ENOENT') {
        reject(new DevstackError('TOOL_MISSING', `${command} is not installed (not found on PATH).`, {
          fix: 'Run tools/setup.sh, which installs every tool the stack uses.',
          cause: err,
        }));
      } else reject(err);
    });
    child.on('close', (code, sig) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ code: code ?? (sig ? 128 : 1), stdout, stderr, durationMs: Date.now() - started, ...(timedOut ? { timedOut } : {}) });
    });
    // A command that exits before reading its input (openssl s_client on a refused handshake) closes the
    // pipe: EPIPE there is not an error of the run, its exit code and output say what happened.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') stderr += `\n[devstack] stdin: ${err.message}`;
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** Absolute path of a binary on PATH (plus extra directories), or undefined. */
export function which(bin: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export function ensureDir(dir: string, mode?: number): string {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode });
  return dir;
}
