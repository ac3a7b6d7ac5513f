#!/usr/bin/env node
import { runCli } from '@devstack/core';
import { docs } from './docs';
import { html } from './html-report';
import { perf } from './perf-report';
import { tests } from './tests-report';

const out = (def: string) => ({ name: 'out', type: 'string' as const, description: `output file, relative to the workspace root (default ${def})` });

void runCli('devstack-report', {
  tests: {
    description: 'aggregate every package\'s jest results and the service x category coverage matrix into .devstack/report/TEST_COVERAGE.md',
    flags: [out('.devstack/report/TEST_COVERAGE.md')],
    run: tests,
  },
  perf: {
    description: '.devstack/report/PERFORMANCE_BASELINE.md from baselines/*.json and the latest bench, regress, tune, failover and load results',
    flags: [out('.devstack/report/PERFORMANCE_BASELINE.md')],
    run: perf,
  },
  html: {
    description: 'one self-contained HTML report (inline CSS, JS and SVG charts) of latency, tuning, failover, coverage and regress verdicts',
    flags: [out('.devstack/report/index.html')],
    run: html,
  },
  docs: {
    description: 'the only writer of docs/ generated pages: renders TEST_COVERAGE.md and PERFORMANCE_BASELINE.md, then copies them and TUNING_RESULTS.md, FAILOVER_PLAYBOOK.md from .devstack/report/ into docs/',
    flags: [{ name: 'out', type: 'string' as const, description: 'target directory, relative to the workspace root (default docs)' }],
    run: docs,
  },
});
