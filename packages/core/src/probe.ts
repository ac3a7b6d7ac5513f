import { LatencyRecorder } from './stats';

export interface ProbeInput {
  /** Concurrent workers, each with its own connection and histogram. */
  concurrency: number;
  durationMs: number;
  /** One operation of worker `w` (e.g. a single-row SELECT on its own connection). */
  op: (worker: number) => Promise<unknown>;
  signal?: AbortSignal;
}

export interface ProbeOutcome {
  /** Histograms of all workers, merged (never their percentiles). */
  recorder: LatencyRecorder;
  errors: number;
  /** First error message, so a failing probe says why. */
  firstError?: string;
  elapsedMs: number;
}

/** Closed-loop latency probe: `concurrency` workers issue ops back to back for `durationMs`. */
export async function runProbe(input: ProbeInput): Promise<ProbeOutcome> {
  const t0 = performance.now();
  const deadline = t0 + input.durationMs;
  let firstError: string | undefined;
  const workers = Array.from({ length: input.concurrency }, async (_, w) => {
    const rec = new LatencyRecorder();
    while (performance.now() < deadline && !input.signal?.aborted) {
      const start = performance.now();
      try {
        await input.op(w);
        rec.recordMs(performance.now() - start);
      } catch (err) {
        rec.errors += 1;
        firstError ??= (err as Error).message;
      }
    }
    return rec;
  });
  const recorders = await Promise.all(workers);
  const recorder = new LatencyRecorder();
  for (const r of recorders) {
    recorder.merge(r);
    r.destroy();
  }
  return { recorder, errors: recorder.errors, firstError, elapsedMs: performance.now() - t0 };
}
