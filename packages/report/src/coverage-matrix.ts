import { minimatch } from 'minimatch';
import type { CoverageConfig, CoverageRule } from './coverage-config';
import type { TestCase } from './jest-results';

/** State of one service x category cell. */
export type CellState = 'covered' | 'failing' | 'missing' | 'extra' | 'n/a';

export interface MatrixCell {
  service: string;
  category: string;
  required: boolean;
  passed: number;
  failed: number;
  state: CellState;
}

export interface CoverageMatrix {
  services: string[];
  categories: string[];
  cells: MatrixCell[];
  requiredCells: number;
  coveredCells: number;
  /** covered required cells / required cells, 0..1 (0 when nothing is required). */
  coverage: number;
}

/** Inline tag in a test name: "[redis:failover]" maps the test to that cell, whatever the rules say. */
const TAG = /\[([a-z0-9-]+):([a-z0-9-]+)\]/gi;

export function ruleMatches(rule: CoverageRule, t: TestCase): boolean {
  if (rule.project !== undefined && rule.project !== t.project) return false;
  if (rule.file !== undefined && !minimatch(t.file, rule.file, { dot: true })) return false;
  if (rule.name !== undefined && !new RegExp(rule.name, 'i').test(t.fullName)) return false;
  return true;
}

/** Every (service, category) cell one test case covers, deduplicated. */
export function cellsOf(t: TestCase, config: CoverageConfig): { service: string; category: string }[] {
  const out = new Map<string, { service: string; category: string }>();
  const add = (service: string, category: string) => {
    if (config.services.includes(service) && config.categories.includes(category)) out.set(`${service}/${category}`, { service, category });
  };
  for (const m of t.fullName.matchAll(TAG)) add(m[1].toLowerCase(), m[2].toLowerCase());
  for (const rule of config.rules) {
    if (!ruleMatches(rule, t)) continue;
    add(rule.service === '$project' ? t.project : rule.service, rule.category);
  }
  return [...out.values()];
}

/**
 * Build the matrix. A cell is covered when at least one passing test maps to it; a cell whose
 * mapped tests all fail is "failing" (not covered). Skipped tests cover nothing.
 */
export function buildMatrix(cases: TestCase[], config: CoverageConfig): CoverageMatrix {
  const tally = new Map<string, { passed: number; failed: number }>();
  for (const t of cases) {
    if (t.status === 'skipped') continue;
    for (const c of cellsOf(t, config)) {
      const key = `${c.service}/${c.category}`;
      const e = tally.get(key) ?? { passed: 0, failed: 0 };
      e[t.status]++;
      tally.set(key, e);
    }
  }
  const cells: MatrixCell[] = [];
  for (const service of config.services) {
    for (const category of config.categories) {
      const required = (config.required[service] ?? []).includes(category);
      const { passed, failed } = tally.get(`${service}/${category}`) ?? { passed: 0, failed: 0 };
      let state: CellState;
      if (passed > 0) state = required ? 'covered' : 'extra';
      else if (failed > 0) state = 'failing';
      else state = required ? 'missing' : 'n/a';
      cells.push({ service, category, required, passed, failed, state });
    }
  }
  const requiredCells = cells.filter((c) => c.required).length;
  const coveredCells = cells.filter((c) => c.required && c.state === 'covered').length;
  return {
    services: config.services,
    categories: config.categories,
    cells,
    requiredCells,
    coveredCells,
    coverage: requiredCells === 0 ? 0 : coveredCells / requiredCells,
  };
}

export function cellOf(m: CoverageMatrix, service: string, category: string): MatrixCell {
  return m.cells.find((c) => c.service === service && c.category === category)!;
}

/** Short text of a cell for tables: counts plus a marker a reader can scan. */
export function cellText(c: MatrixCell): string {
  switch (c.state) {
    case 'covered':
      return `ok ${c.passed}${c.failed ? ` (${c.failed} failing)` : ''}`;
    case 'extra':
      return `(+${c.passed})`;
    case 'failing':
      return `FAIL ${c.failed}`;
    case 'missing':
      return 'MISSING';
    default:
      return '-';
  }
}
