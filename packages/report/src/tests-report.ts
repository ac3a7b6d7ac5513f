import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { contextOf, metricFromTrials, reportDir, startResult, type CommonOptions, type Task } from '@devstack/core';
import { readCodeCoverage, type CodeCoverage } from './code-coverage';
import { loadCoverageConfig, type CoverageConfig } from './coverage-config';
import { buildMatrix, cellOf, cellText, type CoverageMatrix } from './coverage-matrix';
import { readJestResults, type JestAggregate } from './jest-results';
import { GENERATED_NOTE, mdTable, pct } from './markdown';

export interface TestsOptions extends CommonOptions {
  /** Output file relative to the workspace root (default .devstack/report/TEST_COVERAGE.md). */
  out?: string;
}

export interface TestReport {
  jest: JestAggregate;
  config: CoverageConfig;
  matrix: CoverageMatrix;
  code: (CodeCoverage | undefined)[];
}

export function jestResultsDir(stateRoot: string): string {
  return path.join(stateRoot, 'results', 'jest');
}

/** Everything the tests doc and the HTML report show about tests, from the result files. */
export function collectTestReport(root: string, stateRoot: string): TestReport {
  const jest = readJestResults(jestResultsDir(stateRoot));
  const config = loadCoverageConfig(root);
  const matrix = buildMatrix(jest.cases, config);
  const code = jest.projects.map((p) => readCodeCoverage(root, stateRoot, p.project));
  return { jest, config, matrix, code };
}

/** The Markdown document. Deterministic: sorted input, no clock, no durations. */
export function renderTestCoverage(r: TestReport): string {
  const { jest, config, matrix } = r;
  const title = (c: string) => config.categoryTitles[c] ?? c;
  const out: string[] = ['# Test coverage', '', GENERATED_NOTE('npx nx run report:tests'), ''];
  out.push(
    `**${jest.total.passed} passed, ${jest.total.failed} failed, ${jest.total.skipped} skipped** in ${jest.projects.length} package${jest.projects.length === 1 ? '' : 's'}. ` +
      `Matrix coverage: **${matrix.coveredCells}/${matrix.requiredCells} required cells (${pct(matrix.coverage)})**.`,
    '',
  );
  if (jest.projects.length === 0) out.push('_No jest results found in .devstack/results/jest/: run `npm test` first._', '');

  out.push('## Tests per package', '');
  out.push(mdTable(['package', 'suites', 'passed', 'failed', 'skipped'], jest.projects.map((p) => [p.project, p.suites.length, p.passed, p.failed, p.skipped])));
  out.push('');

  out.push('## Coverage matrix (service x category)', '');
  out.push(
    'A required cell is covered when at least one passing test maps to it (rules and tags in `configs/coverage.json`). ' +
      '`ok N`: N passing tests; `FAIL N`: only failing tests; `MISSING`: required, no test; `(+N)`: not required but tested; `-`: not required.',
    '',
  );
  out.push(
    mdTable(
      ['service', ...matrix.categories.map(title), 'covered'],
      matrix.services.map((s) => {
        const row = matrix.cells.filter((c) => c.service === s);
        const req = row.filter((c) => c.required);
        return [s, ...matrix.categories.map((c) => cellText(cellOf(matrix, s, c))), `${req.filter((c) => c.state === 'covered').length}/${req.length}`];
      }),
    ),
  );
  out.push('');
  const gaps = matrix.cells.filter((c) => c.required && c.state !== 'covered');
  if (gaps.length > 0) {
    out.push('### Gaps (required, not covered)', '');
    for (const g of gaps) out.push(`- ${g.service} / ${title(g.category)}: ${g.state === 'failing' ? `${g.failed} failing test(s)` : 'no test'}`);
    out.push('');
  }

  out.push('## Code coverage per package (jest --coverage, json-summary)', '');
  out.push(
    mdTable(
      ['package', 'lines', 'statements', 'functions', 'branches', 'source'],
      jest.projects.map((p, i) => {
        const c = r.code[i];
        return c ? [p.project, `${c.lines}%`, `${c.statements}%`, `${c.functions}%`, `${c.branches}%`, c.source] : [p.project, 'not measured', '-', '-', '-', '-'];
      }),
    ),
  );
  out.push('');

  out.push('## Suites', '');
  const rows: (string | number)[][] = [];
  for (const p of jest.projects) for (const s of p.suites) rows.push([p.project, s.file, s.passed, s.failed, s.skipped, s.runError ?? '']);
  out.push(mdTable(['package', 'suite', 'passed', 'failed', 'skipped', 'run error'], rows));
  out.push('');
  return out.join('\n');
}

/** `nx run report:tests`: aggregate jest results and write .devstack/report/TEST_COVERAGE.md. */
export const tests: Task<TestsOptions> = async (options) => {
  const { config, progress } = contextOf(options);
  const result = startResult('report', 'tests');
  progress('reading jest results');
  const report = collectTestReport(config.root, config.stateRoot);
  const file = options.out ? path.resolve(config.root, options.out) : path.join(reportDir(config.stateRoot), 'TEST_COVERAGE.md');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, renderTestCoverage(report));
  const { jest, matrix } = report;
  result.metrics.push(
    metricFromTrials('matrix_coverage', '%', 'higher', [Math.round(matrix.coverage * 1000) / 10]),
    metricFromTrials('tests_passed', 'count', 'higher', [jest.total.passed]),
    metricFromTrials('tests_failed', 'count', 'lower', [jest.total.failed]),
    metricFromTrials('tests_skipped', 'count', 'lower', [jest.total.skipped]),
  );
  result.tables.push({
    title: 'Tests per package',
    head: ['package', 'suites', 'passed', 'failed', 'skipped'],
    rows: [...jest.projects.map((p) => [p.project, p.suites.length, p.passed, p.failed, p.skipped]), ['total', '', jest.total.passed, jest.total.failed, jest.total.skipped]],
  });
  result.data = { matrixCovered: matrix.coveredCells, matrixRequired: matrix.requiredCells, file: path.relative(config.root, file) };
  if (jest.projects.length === 0) result.warnings.push('no jest results in .devstack/results/jest/: run `npm test` (or nx run <project>:test) first');
  result.notes.push(`matrix coverage ${matrix.coveredCells}/${matrix.requiredCells} (${pct(matrix.coverage)})`, `written ${path.relative(config.root, file)}`);
  // The report itself succeeds even when tests failed: it reports them (npm test carries that exit code).
  return result.finish();
};
