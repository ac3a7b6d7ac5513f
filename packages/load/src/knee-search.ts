import type { LatencySnapshot } from '@devstack/core';
import { nextRate, type SearchSettings } from './capacity-plan';

/** What the search needs to know of one step. */
export interface StepVerdictInput {
  rate: number;
  latency: LatencySnapshot;
  errorRate: number;
  ops: number;
}

/** rise/descend: the ladder from startRate; retry: a failed step measured again; bisect: between knee and first fail. */
export type StepPhase = 'rise' | 'descend' | 'retry' | 'bisect';

export interface SearchStep<S extends StepVerdictInput> {
  phase: StepPhase;
  passed: boolean;
  /** Why it failed: "p95 123 ms >= SLO 100 ms", "errors 2.1% > 1%". */
  reason?: string;
  step: S;
}

export interface KneeSearch<S extends StepVerdictInput> {
  /** Highest rate that met the SLO (0 when even minRate failed). */
  knee: number;
  /** The passing step measured at the knee, if any. */
  atKnee?: S;
  /** Lowest rate that failed (every retry included); undefined: none failed up to maxRate. */
  firstFail?: number;
  /**
   * Why the search ended without a bracket at resolution: at maxRate (knee is "at least"), at minRate
   * (knee "below"), out of time, or aborted.
   */
  stoppedBy?: 'maxRate' | 'minRate' | 'budget' | 'aborted';
  steps: SearchStep<S>[];
}

/** A step passes when p95 is below the SLO and the error rate at most maxErrorRate. */
export function judgeStep(s: StepVerdictInput, sloP95Ms: number, maxErrorRate: number): { passed: boolean; reason?: string } {
  if (s.ops === 0) return { passed: false, reason: 'no request completed' };
  if (s.errorRate > maxErrorRate) return { passed: false, reason: `errors ${(s.errorRate * 100).toFixed(2)}% > ${(maxErrorRate * 100).toFixed(2)}%` };
  if (!(s.latency.p95 < sloP95Ms)) return { passed: false, reason: `p95 ${s.latency.p95} ms >= SLO ${sloP95Ms} ms` };
  return { passed: true };
}

/**
 * The knee of one route, built to give the same answer twice on a noisy machine:
 * - ladder: from startRate up by `factor` while steps pass (to maxRate), or down while they fail (to minRate);
 * - a failing step is measured again (`retries`) and the rate fails only if every attempt fails, so one
 *   GC pause, checkpoint or neighbour's burst does not end the search;
 * - bisection (geometric midpoints) between the highest passing and the lowest failing rate until their
 *   ratio is within 1 + resolution or `bisect` steps are spent.
 * `measure` runs one step; `more()` says whether the time budget allows another.
 */
export async function searchKnee<S extends StepVerdictInput>(
  settings: Pick<SearchSettings, 'startRate' | 'factor' | 'minRate' | 'maxRate' | 'bisect' | 'resolution' | 'retries' | 'maxErrorRate'>,
  sloP95Ms: number,
  measure: (rate: number, phase: StepPhase) => Promise<S>,
  more: () => boolean = () => true,
): Promise<KneeSearch<S>> {
  const steps: SearchStep<S>[] = [];
  let lo = 0;
  let atKnee: S | undefined;
  let hi: number | undefined;
  let stoppedBy: KneeSearch<S>['stoppedBy'];
  /** One rate, retried while failing: true passed, false failed, undefined no time left for a first attempt. */
  const probe = async (rate: number, phase: StepPhase): Promise<boolean | undefined> => {
    for (let attempt = 0; attempt <= settings.retries; attempt++) {
      if (!more()) {
        stoppedBy = 'budget';
        // Out of time after a failed attempt: the failure stands (it was measured), unconfirmed.
        if (attempt === 0) return undefined;
        break;
      }
      const step = await measure(rate, attempt === 0 ? phase : 'retry');
      const v = judgeStep(step, sloP95Ms, settings.maxErrorRate);
      steps.push({ phase: attempt === 0 ? phase : 'retry', ...v, step });
      if (v.passed) {
        if (rate > lo) {
          lo = rate;
          atKnee = step;
        }
        return true;
      }
    }
    hi = hi === undefined ? rate : Math.min(hi, rate);
    return false;
  };
  const start = Math.min(settings.maxRate, Math.max(settings.minRate, settings.startRate));
  const first = await probe(start, 'rise');
  if (first !== undefined) {
    const dir = first ? 'up' : 'down';
    let rate = start;
    for (;;) {
      const next = nextRate(settings, rate, dir);
      if (next === undefined) {
        stoppedBy = dir === 'up' ? 'maxRate' : 'minRate';
        break;
      }
      rate = next;
      const ok = await probe(rate, dir === 'up' ? 'rise' : 'descend');
      if (ok === undefined || ok !== first) break;
    }
  }
  let bisections = 0;
  while (stoppedBy !== 'budget' && hi !== undefined && lo > 0 && hi / lo > 1 + settings.resolution && bisections < settings.bisect) {
    const mid = Math.round(Math.sqrt(lo * hi));
    if (mid <= lo || mid >= hi) break;
    bisections += 1;
    await probe(mid, 'bisect');
  }
  return { knee: lo, atKnee, firstFail: hi, stoppedBy, steps };
}
