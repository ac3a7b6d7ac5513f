import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { docs, GENERATED_DOCS } from '../src/docs';
import { copyJestFixtures, perfWorkspace, removeScratch } from './perf-fixture';

describe('report:docs: the only writer of docs/ generated pages', () => {
  afterAll(removeScratch);

  it('renders the report pages, copies every generated page that exists into docs/, keeps the others', async () => {
    const ws = await perfWorkspace();
    copyJestFixtures(ws.config.stateRoot);
    const report = path.join(ws.config.stateRoot, 'report');
    mkdirSync(report, { recursive: true });
    writeFileSync(path.join(report, 'TUNING_RESULTS.md'), '# Tuning results\nmeasured\n');
    mkdirSync(path.join(ws.root, 'docs'));
    writeFileSync(path.join(ws.root, 'docs', 'FAILOVER_PLAYBOOK.md'), 'committed\n');
    const result = await docs({ config: ws.config });
    expect(GENERATED_DOCS).toEqual(['TEST_COVERAGE.md', 'PERFORMANCE_BASELINE.md', 'TUNING_RESULTS.md', 'FAILOVER_PLAYBOOK.md']);
    expect(readFileSync(path.join(ws.root, 'docs', 'TUNING_RESULTS.md'), 'utf8')).toBe('# Tuning results\nmeasured\n');
    expect(readFileSync(path.join(ws.root, 'docs', 'TEST_COVERAGE.md'), 'utf8')).toContain('**5 passed, 3 failed, 2 skipped**');
    expect(readFileSync(path.join(ws.root, 'docs', 'PERFORMANCE_BASELINE.md'), 'utf8')).toContain('Regress verdict: **regressed**');
    // No playbook run yet: the committed page stays as it is.
    expect(readFileSync(path.join(ws.root, 'docs', 'FAILOVER_PLAYBOOK.md'), 'utf8')).toBe('committed\n');
    expect(result.tables![0].rows).toContainEqual(['FAILOVER_PLAYBOOK.md', 'not generated yet (kept as committed)']);
    expect(existsSync(path.join(report, 'TEST_COVERAGE.md'))).toBe(true);
  });

  it("the playbook reaches docs/ with the spurious-failover counts (here: none recorded, and how to record them)", async () => {
    const ws = await perfWorkspace();
    const report = path.join(ws.config.stateRoot, 'report');
    mkdirSync(report, { recursive: true });
    writeFileSync(path.join(report, 'FAILOVER_PLAYBOOK.md'), '# Redis Cluster failover playbook\n\n## Runbook\n\n1. x\n');
    await docs({ config: ws.config });
    const page = readFileSync(path.join(ws.root, 'docs', 'FAILOVER_PLAYBOOK.md'), 'utf8');
    expect(page).toMatch(/^# Redis Cluster failover playbook\n\n## Spurious failovers \(cluster epochs outside the failover suites\)\n[\s\S]*Spurious failovers: not recorded yet: run `npm test` and `npx nx run load:capacity`[\s\S]*\n## Runbook\n\n1. x\n$/);
    // The run's own copy stays as redis:failover wrote it.
    expect(readFileSync(path.join(report, 'FAILOVER_PLAYBOOK.md'), 'utf8')).not.toContain('Spurious');
  });
});
