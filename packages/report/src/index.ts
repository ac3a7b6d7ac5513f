export { tests, collectTestReport, renderTestCoverage, jestResultsDir, type TestsOptions, type TestReport } from './tests-report';
export { perf, renderPerformance, type PerfOptions } from './perf-report';
export { html, renderHtml, defaultHtmlPath, type HtmlOptions } from './html-report';
export { readJestResults, parseJestJson, type TestCase, type Counts, type ProjectCounts, type SuiteCounts, type JestAggregate } from './jest-results';
export { loadCoverageConfig, validateCoverageConfig, type CoverageConfig, type CoverageRule } from './coverage-config';
export { buildMatrix, cellsOf, type CoverageMatrix, type MatrixCell, type CellState } from './coverage-matrix';
export { readCodeCoverage, type CodeCoverage } from './code-coverage';
export { collectPerf, regressStatus, compareRows, timelineOf, type BackendPerf, type RegressStatus } from './perf-data';
export { docs, GENERATED_DOCS, type DocsOptions } from './docs';
