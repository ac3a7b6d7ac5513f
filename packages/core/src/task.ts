import type { LoadedConfig } from './config';
import { loadConfig } from './config';
import { machineFingerprint } from './machine';
import { silentProgress, type Progress } from './progress';
import type { TaskResult } from './results';

/** Options every task accepts. Tasks never parse argv, print, or exit: the runner does. */
export interface CommonOptions {
  config?: LoadedConfig;
  progress?: Progress;
}

/** A task: a typed async function. The signal aborts long work (Ctrl-C in the CLI). */
export type Task<O extends CommonOptions = CommonOptions, R extends TaskResult = TaskResult> = (options: O, signal?: AbortSignal) => Promise<R>;

export interface TaskContext {
  config: LoadedConfig;
  progress: Progress;
}

export function contextOf(options: CommonOptions): TaskContext {
  return { config: options.config ?? loadConfig(), progress: options.progress ?? silentProgress };
}

/** A result with the common fields filled in; call finish() when the work is done. */
export function startResult(backend: string, task: string, extra: Partial<TaskResult> = {}): TaskResult & { finish(): TaskResult } {
  const t0 = Date.now();
  const result: TaskResult = {
    backend,
    task,
    state: 'completed',
    startedAt: new Date(t0).toISOString(),
    durationMs: 0,
    machine: machineFingerprint(),
    metrics: [],
    checks: [],
    tables: [],
    warnings: [],
    notes: [],
    ...extra,
  };
  return Object.assign(result, {
    finish(): TaskResult {
      result.durationMs = Date.now() - t0;
      const { finish: _f, ...plain } = result as TaskResult & { finish?: unknown };
      return plain as TaskResult;
    },
  });
}
