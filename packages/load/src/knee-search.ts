import type { LatencySnapshot } from '@devstack/core';
import { risingRates, type SearchSettings } from './capacity-plan';

/** What the search needs to know of one step. */
export interface StepVerdictInput {
  rate: number;
  latency: LatencySnapshot;
  errorRate: number;
  ops: number;
}

export type StepPhase = 'rise' | 'bisect';

export interface SearchStep<S extends StepVerdictInput> {
  phase: StepPhase;
  passed: boolean;
  /** Why it failed: "p95 123 ms >= SLO 100 ms", "errors 2.1% > 1%". */
  reason?: string;
  step: S;
}

export interface KneeSearch<S extends StepVerdictInput> {
  /** Highest rate that met the SLO (0 when even the first step failed). */
  knee: number;
  /** The step measured at the knee, if any. */
  atKnee?: S;
  /** Lowest rate seen failing (undefined: never failed up to maxRate). */
  firstFail?: number;
  /** The search stopped at maxRate or the time budget rather than at a failing step. */
  stoppedBy?: 'maxRate' | 'budget' | 'aborted';
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
 * Rising steps (startRate x factor^k) until one fails, then `bisect` steps between the last passing
 * and the first failing rate (geometric midpoints: the bracket is a ratio). `measure` runs one step;
 * `more()` says whether the time budget allows another.
 */
export async function searchKnee<S extends StepVerdictInput>(
  settings: Pick<SearchSettings, 'startRate' | 'factor' | 'maxRate' | 'bisect' | 'maxErrorRate'>,
  sloP95Ms: number,
  measure: (rate: number, phase: StepPhase) => Promise<S>,
  more: () => boolean = () => true,
): Promise<KneeSearch<S>> {
  const steps: SearchStep<S>[] = [];
  let lo = 0;
  let atKnee: S | undefined;
  let hi: number | undefined;
  let stoppedBy: KneeSearch<S>['stoppedBy'];
  const run = async (rate: number, phase: StepPhase) => {
    const step = await measure(rate, phase);
    const v = judgeStep(step, sloP95Ms, settings.maxErrorRate);
    steps.push({ phase, ...v, step });
    if (v.passed && rate > lo) {
      lo = rate;
      atKnee = step;
    } else if (!v.passed) hi = hi === undefined ? rate : Math.min(hi, rate);
    return v.passed;
  };
  for (const rate of risingRates(settings)) {
    if (!more()) {
      stoppedBy = 'budget';
      break;
    }
    if (!(await run(rate, 'rise'))) break;
  }
  if (hi === undefined && !stoppedBy) stoppedBy = 'maxRate';
  // Failing at the first rate says "below startRate": no bisection towards zero with ever longer steps.
  for (let i = 0; i < settings.bisect && hi !== undefined && lo > 0; i++) {
    const mid = Math.round(Math.sqrt(lo * hi));
    if (mid <= lo || mid >= hi) break;
    if (!more()) {
      stoppedBy = 'budget';
      break;
    }
    await run(mid, 'bisect');
  }
  return { knee: lo, atKnee, firstFail: hi, stoppedBy, steps };
}
