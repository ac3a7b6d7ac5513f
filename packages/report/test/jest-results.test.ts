import * as path from 'node:path';
import { readJestResults, suiteFile } from '../src/jest-results';

const dir = path.join(__dirname, 'fixtures', 'jest');

describe('readJestResults', () => {
  const agg = readJestResults(dir);

  it('counts per package, sorted by name, pending and todo as skipped', () => {
    expect(agg.projects.map((p) => [p.project, p.passed, p.failed, p.skipped])).toEqual([
      ['redis', 2, 1, 1],
      ['vault', 3, 2, 1],
    ]);
    expect(agg.total).toEqual({ passed: 5, failed: 3, skipped: 2 });
  });

  it('counts per suite with paths relative to the package, even from another checkout', () => {
    const vault = agg.projects.find((p) => p.project === 'vault')!;
    expect(vault.suites.map((s) => [s.file, s.passed, s.failed, s.skipped])).toEqual([
      ['suites/approle.suite.ts', 2, 1, 1],
      ['suites/pki.suite.ts', 0, 1, 0],
      ['test/kv-path.test.ts', 1, 0, 0],
    ]);
  });

  it('counts a suite that crashed before any case as one failure with a readable reason', () => {
    const pki = agg.projects.find((p) => p.project === 'vault')!.suites.find((s) => s.file === 'suites/pki.suite.ts')!;
    expect(pki.runError).toBe('● Test suite failed to run');
  });

  it('keeps each case with project, file and full name', () => {
    expect(agg.cases).toContainEqual({ project: 'redis', file: 'suites/failover.suite.ts', fullName: 'failover promotes the replica within the budget', status: 'passed' });
    expect(agg.cases.filter((c) => c.status === 'skipped')).toHaveLength(2);
  });

  it('reads nothing from a missing directory', () => {
    expect(readJestResults(path.join(dir, 'nope')).projects).toEqual([]);
  });

  it('maps absolute paths to package-relative ones', () => {
    expect(suiteFile('/a/b/packages/redis/suites/x/y.suite.ts')).toBe('suites/x/y.suite.ts');
  });
});
