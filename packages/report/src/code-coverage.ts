import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Totals of one package from istanbul's json-summary reporter (jest --coverage). */
export interface CodeCoverage {
  project: string;
  lines: number;
  statements: number;
  functions: number;
  branches: number;
  /** Where it was read from, relative to the workspace root. */
  source: string;
}

interface SummaryTotal {
  total?: Record<'lines' | 'statements' | 'functions' | 'branches', { pct?: number | string }>;
}

/**
 * Where a package's coverage summary may be: the shared results dir first (tests run with
 * --coverageDirectory=../../.devstack/results/coverage/<project>), then jest's default
 * <package>/coverage/. Absent everywhere means "not measured", never 0%.
 */
export function coverageSummaryCandidates(root: string, stateRoot: string, project: string): string[] {
  return [
    path.join(stateRoot, 'results', 'coverage', project, 'coverage-summary.json'),
    path.join(root, 'packages', project, 'coverage', 'coverage-summary.json'),
  ];
}

const pct = (v: { pct?: number | string } | undefined): number => {
  const n = Number(v?.pct);
  return Number.isFinite(n) ? n : NaN;
};

export function readCodeCoverage(root: string, stateRoot: string, project: string): CodeCoverage | undefined {
  for (const file of coverageSummaryCandidates(root, stateRoot, project)) {
    if (!existsSync(file)) continue;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as SummaryTotal;
      if (!data.total) continue;
      return {
        project,
        lines: pct(data.total.lines),
        statements: pct(data.total.statements),
        functions: pct(data.total.functions),
        branches: pct(data.total.branches),
        source: path.relative(root, file),
      };
    } catch {
      // A half-written summary is the same as none: the table says "not measured".
      continue;
    }
  }
  return undefined;
}
