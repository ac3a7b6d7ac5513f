import { BENCH_DATABASE, loadConfig } from '@devstack/core';
import { describeDbBench } from '@devstack/runtime/testing';
import { bench } from '../src/bench';
import { pgSession, withClient } from '../src/connection';

// Live suite: a short real pgbench + pg driver probe against this stack's PostgreSQL.
const config = loadConfig();

describeDbBench({
  backend: 'postgres',
  config,
  bench,
  serverName: 'PostgreSQL',
  workloads: ['tpcb_like', 'select_only'],
  metrics: ['tpcb_like_tps', 'tpcb_like_p95_ms', 'select_only_tps', 'select_only_p95_ms', 'single_row_p95_ms'],
  benchDatabaseRows: async () => withClient(await pgSession(config), async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DATABASE])).rows),
});
