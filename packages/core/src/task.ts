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

/**
 * A result being filled in: notes, tables and warnings always exist while a task works (the written
 * JSON keeps them optional, so readers of older files still cope).
 */
export type StartedResult = TaskResult & Required<Pick<TaskResult, 'notes' | 'tables' | 'warnings'>> & { finish(): TaskResult };

/** A result with the common fields filled in; call finish() when the work is done. */
export function startResult(backend: string, task: string, extra: Partial<TaskResult> = {}): StartedResult {
  const t0 = Date.now();
  const result: Omit<StartedResult, 'finish'> = {
    backend,
    task,
    state: 'completed',
    startedAt: new Date(t0).toISOString(),
    durationMs: 0,
    machine: machineFingerprint(),
    metrics: [],
    checks: [],
    ...extra,
    tables: extra.tables ?? [],
    warnings: extra.warnings ?? [],
    notes: extra.notes ?? [],
  };
  return Object.assign(result, {
    finish(): TaskResult {
      result.durationMs = Date.now() - t0;
      const { finish: _f, ...plain } = result as TaskResult & { finish?: unknown };
      return plain as TaskResult;
    },
  });
}
