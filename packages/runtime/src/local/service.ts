import { chownSync, existsSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { type LoadedConfig, type StackService, DevstackError, isAlive, readPid, startProcess, stopPid, waitForPort, type StartOptions, type Progress, type ServiceStatus } from '@devstack/core';
import { StackLayout } from './layout';
import { inNamespace } from '../network/launcher';

export interface LocalContext {
  config: LoadedConfig;
  layout: StackLayout;
  progress: Progress;
  signal?: AbortSignal;
  /** Credentials generated or read from Vault during `up`, by service. */
  secrets: Map<string, { user: string; password: string }>;
}

/** One server of the embedded stack, started as child processes of ours. */
export interface LocalService {
  readonly name: StackService;
  /** Every TCP port it listens on (checked free before start). */
  ports(config: LoadedConfig): number[];
  /** Pid files of its processes. */
  pidNames(config?: LoadedConfig): string[];
  /** The pid file owning each of ports() (default: pidNames by index, the last one for the rest). */
  portPids?(config?: LoadedConfig): string[];
  /** Running, but started with settings the config no longer asks for: `up` calls start() again, which restarts it. */
  outdated?(ctx: Pick<LocalContext, 'config' | 'layout'>): boolean;
  start(ctx: LocalContext): Promise<void>;
  stop(ctx: Pick<LocalContext, 'config' | 'layout'>): Promise<void>;
  status(ctx: Pick<LocalContext, 'config' | 'layout'>): Promise<ServiceStatus>;
}

/** The unprivileged account servers run as when we are root (PostgreSQL refuses root). */
export const SERVICE_USER = 'devstack';

export interface Account {
  uid: number;
  gid: number;
}

export function serviceAccount(): Account | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${SERVICE_USER}:`));
  if (!line) {
    throw new DevstackError('ENVIRONMENT', `Running as root, but the unprivileged user "${SERVICE_USER}" that PostgreSQL and MariaDB run as does not exist.`, {
      fix: `Run tools/setup.sh (it creates the user), or: useradd --system --no-create-home ${SERVICE_USER}`,
    });
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** mkdir -p, owned by the service account when there is one. */
export function ownedDir(dir: string, account: Account | undefined, mode = 0o700): string {
  // Parents stay traversable (0755) so the service account can reach its own directory.
  mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  mkdirSync(dir, { recursive: true, mode });
  if (account) chownSync(dir, account.uid, account.gid);
  return dir;
}

export function runningPid(layout: StackLayout, name: string): number | undefined {
  const pid = readPid(layout.pid(name));
  return pid && isAlive(pid) ? pid : undefined;
}

/**
 * Was the program a process runs replaced on disk since it started? (A rebuild moved a new binary over
 * it: Linux then shows the old one as "<path> (deleted)".) false when that cannot be read.
 */
export function executableReplaced(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/exe`).endsWith(' (deleted)');
  } catch {
    return false;
  }
}

export async function startAndWait(
  layout: StackLayout,
  pidName: string,
  options: Omit<StartOptions, 'logFile' | 'pidFile'>,
  port: { host: string; port: number },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number> {
  const logFile = layout.log(pidName);
  const pid = startProcess({ ...inNamespace(layout.config, pidName, options), logFile, pidFile: layout.pid(pidName) });
  await waitForPort(port.host, port.port, { timeoutMs, pid, logFile, what: `${options.name} to listen on ${port.host}:${port.port}`, signal });
  return pid;
}

export async function stopByPidFile(layout: StackLayout, name: string, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20000): Promise<void> {
  const pid = readPid(layout.pid(name));
  if (pid && isAlive(pid)) await stopPid(pid, { signal, timeoutMs });
}

export function exists(file: string): boolean {
  return existsSync(file);
}

export function baseStatus(service: StackService, port: string, pid: number | undefined, logFile: string): ServiceStatus {
  return { service, port, pid, healthy: false, logFile };
}
