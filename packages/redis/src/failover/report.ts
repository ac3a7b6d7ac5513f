import type { Check, ResultTable } from '@devstack/core';
import { median } from '@devstack/core';
import type { LossReport } from './loss';

/** One sub-check of a scenario: its verdict is the AND of these. */
export interface ScenarioCheck {
  name: string;
  passed: boolean;
  expected: string;
  observed: string;
}

/** One scenario, one verdict, its timings (ms since the fault) and its write accounting. */
export interface ScenarioOutcome {
  id: number;
  name: string;
  verdict: 'pass' | 'fail' | 'error';
  detectionMs?: number;
  promotionMs?: number;
  clusterOkMs?: number;
  errorWindowMs?: number;
  failedOps?: number;
  ops?: number;
  /** Acknowledged writes lost (WAIT-confirmed ones in lostReplicated). */
  loss?: LossReport;
  checks: ScenarioCheck[];
  notes: string[];
  /** Scenario 2 repetitions, and whatever else a scenario measured. */
  data?: Record<string, unknown>;
  durationMs: number;
}

export function verdictOf(checks: ScenarioCheck[]): 'pass' | 'fail' {
  return checks.length > 0 && checks.every((c) => c.passed) ? 'pass' : 'fail';
}

export function check(name: string, passed: boolean, expected: string, observed: string): ScenarioCheck {
  return { name, passed, expected, observed };
}

const ms = (v?: number) => (v === undefined ? '-' : String(Math.round(v)));

/** The summary table: one row per scenario. */
export function scenarioTable(outcomes: ScenarioOutcome[]): ResultTable {
  return {
    title: 'Failover scenarios (times in ms since the fault)',
    head: ['#', 'scenario', 'verdict', 'detection', 'promotion', 'cluster ok', 'error window (victim shard outage)', 'failed ops (all shards)', 'acked lost (WAIT-acked)'],
    rows: outcomes.map((o) => [
      o.id,
      o.name,
      o.verdict.toUpperCase(),
      ms(o.detectionMs),
      ms(o.promotionMs),
      ms(o.clusterOkMs),
      ms(o.errorWindowMs),
      o.failedOps === undefined ? '-' : `${o.failedOps}/${o.ops}`,
      o.loss ? `${o.loss.lostAcked} of ${o.loss.acked} (${o.loss.lostReplicated} of ${o.loss.replicatedAcked})` : '-',
    ]),
  };
}

export interface Repetition {
  rep: number;
  victimPort: number;
  replicaPort: number;
  detectionMs?: number;
  promotionMs?: number;
  clusterOkMs?: number;
  maxPollGapMs: number;
}

export function repetitionTable(reps: Repetition[]): ResultTable {
  return {
    title: 'Scenario 2 repetitions (kill -9 a master)',
    head: ['rep', 'victim', 'promoted', 'detection ms', 'promotion ms', 'cluster ok ms', 'max poll gap ms'],
    rows: reps.map((r) => [r.rep, `:${r.victimPort}`, `:${r.replicaPort}`, ms(r.detectionMs), ms(r.promotionMs), ms(r.clusterOkMs), r.maxPollGapMs]),
  };
}

/** Median and worst of the measured times (undefined values = never happened, counted as worst). */
export function summarizeReps(reps: Repetition[], key: 'detectionMs' | 'promotionMs' | 'clusterOkMs'): { median?: number; worst?: number; n: number; missing: number } {
  const values = reps.map((r) => r[key]).filter((v): v is number => v !== undefined);
  return { median: values.length ? median(values) : undefined, worst: values.length ? Math.max(...values) : undefined, n: values.length, missing: reps.length - values.length };
}

/** Sub-checks as core Checks (the runner renders them and derives the exit code). */
export function resultChecks(outcomes: ScenarioOutcome[]): Check[] {
  return outcomes.flatMap((o) =>
    o.checks.map((c) => ({ name: `S${o.id} ${o.name}: ${c.name}`, passed: c.passed, expected: c.expected, observed: c.observed })),
  );
}
