import * as path from 'node:path';
import { loadCoverageConfig, validateCoverageConfig, type CoverageConfig } from '../src/coverage-config';
import { buildMatrix, cellOf, cellsOf } from '../src/coverage-matrix';
import { readJestResults, type TestCase } from '../src/jest-results';

const WS = path.resolve(__dirname, '../../..');
const real = loadCoverageConfig(WS);

const small: CoverageConfig = {
  services: ['redis', 'vault'],
  categories: ['connectivity', 'auth', 'failover'],
  categoryTitles: {},
  required: { redis: ['connectivity', 'failover'], vault: ['auth'] },
  rules: [{ file: 'suites/**/*failover*', service: '$project', category: 'failover' }],
};
const tc = (over: Partial<TestCase>): TestCase => ({ project: 'redis', file: 'suites/a.suite.ts', fullName: 'x', status: 'passed', ...over });

describe('coverage matrix', () => {
  it('maps by file rule with $project, and by inline [service:category] tag', () => {
    expect(cellsOf(tc({ file: 'suites/failover.suite.ts' }), small)).toEqual([{ service: 'redis', category: 'failover' }]);
    expect(cellsOf(tc({ fullName: 'login [vault:auth]' }), small)).toEqual([{ service: 'vault', category: 'auth' }]);
    // $project only counts when the project is a service.
    expect(cellsOf(tc({ project: 'stack', file: 'suites/failover.suite.ts' }), small)).toEqual([]);
  });

  it('counts a required cell covered only with a passing test; failing-only and skipped do not cover', () => {
    const m = buildMatrix(
      [
        tc({ file: 'suites/failover.suite.ts', status: 'failed' }),
        tc({ fullName: 'ping [redis:connectivity]', status: 'skipped' }),
        tc({ fullName: 'login [vault:auth]' }),
        tc({ fullName: 'login [vault:connectivity]' }),
      ],
      small,
    );
    expect(cellOf(m, 'redis', 'failover').state).toBe('failing');
    expect(cellOf(m, 'redis', 'connectivity').state).toBe('missing');
    expect(cellOf(m, 'vault', 'auth').state).toBe('covered');
    expect(cellOf(m, 'vault', 'connectivity').state).toBe('extra');
    expect([m.coveredCells, m.requiredCells]).toEqual([1, 3]);
    expect(m.coverage).toBeCloseTo(1 / 3);
  });

  it('applies configs/coverage.json to the jest fixtures', () => {
    const m = buildMatrix(readJestResults(path.join(__dirname, 'fixtures', 'jest')).cases, real);
    expect(cellOf(m, 'vault', 'auth')).toMatchObject({ state: 'covered', passed: 2, failed: 1 });
    expect(cellOf(m, 'vault', 'connectivity').state).toBe('covered');
    expect(cellOf(m, 'vault', 'tls').state).toBe('missing');
    expect(cellOf(m, 'redis', 'failover').state).toBe('covered');
    expect(cellOf(m, 'redis', 'connectivity').state).toBe('failing');
    expect(m.coveredCells).toBe(3);
    expect(m.requiredCells).toBe(Object.values(real.required).reduce((n, l) => n + l.length, 0));
  });

  it('the shipped configs/coverage.json lists the eight categories of the design', () => {
    expect(real.categories).toEqual(['connectivity', 'auth', 'tls', 'failover', 'network', 'performance', 'regression', 'load']);
    expect(real.required.redis).toContain('failover');
  });

  it('rejects a config naming an unknown category, with the key', () => {
    expect(validateCoverageConfig({ ...small, required: { redis: ['speed'] } })).toBe('"required.redis": unknown category "speed" (categories: connectivity, auth, failover)');
    expect(validateCoverageConfig({ ...small, rules: [{ service: 'redis', category: 'auth', name: '(' }] })).toBe('"rules[0].name" is not a valid regular expression');
  });
});
