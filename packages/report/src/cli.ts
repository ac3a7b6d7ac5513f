#!/usr/bin/env node
import { runCli } from '@devstack/core';
import { html } from './html-report';
import { perf } from './perf-report';
import { tests } from './tests-report';

const out = (def: string) => ({ name: 'out', type: 'string' as const, description: `output file, relative to the workspace root (default ${def})` });

void runCli('devstack-report', {
  tests: {
    description: 'aggregate every package\'s jest results and the service x category coverage matrix into docs/TEST_COVERAGE.md',
    flags: [out('docs/TEST_COVERAGE.md')],
    run: tests,
  },
  perf: {
    description: 'docs/PERFORMANCE_BASELINE.md from baselines/*.json and the latest bench, regress, tune, failover and load results',
    flags: [out('docs/PERFORMANCE_BASELINE.md')],
    run: perf,
  },
  html: {
    description: 'one self-contained HTML report (inline CSS, JS and SVG charts) of latency, tuning, failover, coverage and regress verdicts',
    flags: [out('.devstack/report/index.html')],
    run: html,
  },
});
