import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { contextOf, reportDir, startResult, type CommonOptions, type Task } from '@devstack/core';
import { epochWindows, renderSpuriousSection, withSpuriousSection } from './failover-epochs';
import { perf } from './perf-report';
import { tests } from './tests-report';

/**
 * The committed generated pages of docs/. Runs write them under .devstack/report/ only; this list
 * is what `nx run report:docs` copies into docs/, so `npm start` and `npm test` leave `git status` clean.
 */
export const GENERATED_DOCS = ['TEST_COVERAGE.md', 'PERFORMANCE_BASELINE.md', 'TUNING_RESULTS.md', 'FAILOVER_PLAYBOOK.md'] as const;

export interface DocsOptions extends CommonOptions {
  /** Target directory relative to the workspace root (default docs). */
  out?: string;
}

/** `nx run report:docs`: render the report pages from the current results, then copy every generated page into docs/. */
export const docs: Task<DocsOptions> = async (options) => {
  const { config, progress } = contextOf(options);
  const result = startResult('report', 'docs');
  const common = { ...options, out: undefined };
  await tests(common);
  await perf(common);
  const from = reportDir(config.stateRoot);
  const to = path.resolve(config.root, options.out ?? 'docs');
  mkdirSync(to, { recursive: true });
  const rows: string[][] = [];
  for (const name of GENERATED_DOCS) {
    const src = path.join(from, name);
    if (!existsSync(src)) {
      rows.push([name, 'not generated yet (kept as committed)']);
      continue;
    }
    // The playbook (written by redis:failover) gains the spurious-failover counts of the latest npm test and capacity run.
    if (name === 'FAILOVER_PLAYBOOK.md') writeFileSync(path.join(to, name), withSpuriousSection(readFileSync(src, 'utf8'), renderSpuriousSection(epochWindows(config.stateRoot))));
    else copyFileSync(src, path.join(to, name));
    rows.push([name, `copied to ${path.relative(config.root, path.join(to, name))}`]);
    progress(`${name} -> ${path.relative(config.root, to)}/`);
  }
  result.tables!.push({ title: `Generated pages: ${path.relative(config.root, from)} -> ${path.relative(config.root, to)}`, head: ['page', 'result'], rows });
  return result.finish();
};
