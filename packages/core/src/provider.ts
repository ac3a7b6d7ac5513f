import type { LoadedConfig } from './config';
import type { StackService } from './registry';
import type { RunResult } from './process';
import type { Progress } from './progress';

export interface ServiceStatus {
  service: StackService | 'api';
  /** Server implementation, e.g. "PostgreSQL", "MariaDB", "FerretDB", "RustyVault". */
  server?: string;
  version?: string;
  port: string;
  pid?: number;
  healthy: boolean;
  detail?: string;
  logFile?: string;
}

export interface UpOptions {
  progress?: Progress;
  signal?: AbortSignal;
}

export interface UpReport {
  started: string[];
  alreadyRunning: string[];
  durationMs: number;
}

export interface ApplyConfigResult {
  /** The file that is now active. */
  active: string;
  /** A copy of what was active before, for rollback; undefined when nothing was active. */
  backup?: string;
}

/**
 * One interface for every way the stack can run: the embedded local processes, docker compose,
 * or endpoints someone else runs. Tasks talk to the stack only through this.
 */
export interface StackProvider {
  readonly name: 'local' | 'compose' | 'external';
  up(services?: readonly StackService[], options?: UpOptions): Promise<UpReport>;
  down(options?: { purge?: boolean; progress?: Progress }): Promise<void>;
  status(): Promise<ServiceStatus[]>;
  restart(service: StackService, options?: UpOptions): Promise<void>;
  /** Make `file` the service's active profile config (backing up the current one). Takes effect on restart. */
  applyConfig(service: StackService, file: string): Promise<ApplyConfigResult>;
  /** The service's active profile config file, if the provider manages one. */
  activeConfig(service: StackService): string | undefined;
  /** Run a command in the context of a service or network (local: on the host; compose: docker exec). */
  exec(networkOrService: string, command: string[]): Promise<RunResult>;
}

export type ProviderFactory = (config: LoadedConfig) => StackProvider;
