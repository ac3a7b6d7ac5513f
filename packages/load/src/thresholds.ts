import { DevstackError, type Check, type LatencySnapshot } from '@devstack/core';
import type { Thresholds } from './scenarios';

/** What a threshold can be checked against: one latency trend and one failure rate per run. */
export interface ThresholdInputs {
  trends: Record<string, LatencySnapshot>;
  rates: Record<string, number>;
}

export interface ParsedThreshold {
  metric: string;
  expression: string;
  stat: string;
  op: '<' | '<=' | '>' | '>=' | '==';
  limit: number;
}

/** Parse k6 threshold expressions: "p(95)<100", "rate<0.01", "avg<=20", "max<500", "med<10". */
export function parseThreshold(metric: string, expression: string): ParsedThreshold {
  const m = /^\s*(p\(\d+(?:\.\d+)?\)|avg|min|max|med|rate)\s*(<=|>=|<|>|==)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expression);
  if (!m) {
    throw new DevstackError('BAD_CONFIG', `Threshold "${expression}" on ${metric} is not a supported k6 expression.`, {
      fix: 'Use p(N)<X, avg/min/max/med<X or rate<X (k6 threshold syntax) in k6/scenarios.json.',
    });
  }
  return { metric, expression: expression.replace(/\s+/g, ''), stat: m[1], op: m[2] as ParsedThreshold['op'], limit: Number(m[3]) };
}

function statOf(t: ParsedThreshold, inputs: ThresholdInputs): number | undefined {
  if (t.stat === 'rate') return inputs.rates[t.metric];
  const trend = inputs.trends[t.metric];
  if (!trend) return undefined;
  const byName: Record<string, number> = { avg: trend.mean, min: trend.min, max: trend.max, med: trend.p50, 'p(50)': trend.p50, 'p(90)': trend.p90, 'p(95)': trend.p95, 'p(99)': trend.p99 };
  return byName[t.stat];
}

const compare = { '<': (a: number, b: number) => a < b, '<=': (a: number, b: number) => a <= b, '>': (a: number, b: number) => a > b, '>=': (a: number, b: number) => a >= b, '==': (a: number, b: number) => a === b };

/** One check per threshold expression; a threshold whose statistic was not measured fails (never passes silently). */
export function evaluateThresholds(thresholds: Thresholds, inputs: ThresholdInputs): Check[] {
  const checks: Check[] = [];
  for (const [metric, expressions] of Object.entries(thresholds)) {
    for (const expression of expressions) {
      const t = parseThreshold(metric, expression);
      const value = statOf(t, inputs);
      const measured = value !== undefined && Number.isFinite(value);
      checks.push({
        name: `${metric} ${t.expression}`,
        passed: measured && compare[t.op](value, t.limit),
        expected: `${t.stat} ${t.op} ${t.limit}`,
        observed: measured ? `${t.stat} = ${Math.round(value * 10000) / 10000}` : 'not measured',
      });
    }
  }
  return checks;
}
