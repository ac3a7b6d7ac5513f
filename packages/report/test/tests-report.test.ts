import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '@devstack/core';
import { collectTestReport, renderTestCoverage, tests } from '../src/tests-report';
import { copyJestFixtures, removeScratch, scratchWorkspace as workspace } from './perf-fixture';

describe('report:tests', () => {
  afterAll(removeScratch);

  it('writes .devstack/report/TEST_COVERAGE.md (never docs/) with counts, matrix coverage and code coverage', async () => {
    const root = workspace();
    const config = loadConfig({ root, env: {} });
    copyJestFixtures(config.stateRoot);
    mkdirSync(path.join(config.stateRoot, 'results', 'coverage', 'redis'), { recursive: true });
    writeFileSync(
      path.join(config.stateRoot, 'results', 'coverage', 'redis', 'coverage-summary.json'),
      JSON.stringify({ total: { lines: { pct: 81.5 }, statements: { pct: 80 }, functions: { pct: 70 }, branches: { pct: 60.25 } } }),
    );
    const result = await tests({ config });
    const md = readFileSync(path.join(config.stateRoot, 'report', 'TEST_COVERAGE.md'), 'utf8');
    expect(existsSync(path.join(root, 'docs'))).toBe(false);
    expect(md).toContain('**5 passed, 3 failed, 2 skipped** in 2 packages');
    expect(md).toMatch(/Matrix coverage: \*\*3\/36 required cells \(8\.3%\)\*\*/);
    expect(md).toContain('| redis | 81.5% | 80% | 70% | 60.25% | .devstack/results/coverage/redis/coverage-summary.json |');
    expect(md).toContain('| vault | not measured |');
    expect(md).toContain('| vault | suites/pki.suite.ts | 0 | 1 | 0 | ● Test suite failed to run |');
    expect(md).toContain('- vault / TLS: no test');
    expect(md).toContain('- redis / connectivity: 1 failing test(s)');
    expect(result.metrics.find((m) => m.name === 'matrix_coverage')?.value).toBe(8.3);
  });

  it('is deterministic: the same inputs give the same bytes, whatever the time', async () => {
    const root = workspace();
    const config = loadConfig({ root, env: {} });
    copyJestFixtures(config.stateRoot);
    const a = renderTestCoverage(collectTestReport(root, config.stateRoot));
    await new Promise((r) => setTimeout(r, 5));
    const b = renderTestCoverage(collectTestReport(root, config.stateRoot));
    expect(b).toBe(a);
    expect(a).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
  });

  it('refuses a malformed jest file with the command that regenerates it', () => {
    const root = workspace();
    const config = loadConfig({ root, env: {} });
    mkdirSync(path.join(config.stateRoot, 'results', 'jest'), { recursive: true });
    writeFileSync(path.join(config.stateRoot, 'results', 'jest', 'redis.json'), '{"testResults": [');
    expect(() => collectTestReport(root, config.stateRoot)).toThrow(expect.objectContaining({ code: 'BAD_INPUT', fix: 'Re-run the package\'s tests: npx nx run redis:test' }));
  });
});
