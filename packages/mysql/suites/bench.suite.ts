import { BENCH_DATABASE, loadConfig } from '@devstack/core';
import { describeDbBench } from '@devstack/runtime/testing';
import { bench } from '../src/bench';
import { mysqlSession, withConnection } from '../src/connection';

// Live suite: a short real sysbench + mysql2 probe against this stack's MariaDB.
const config = loadConfig();

describeDbBench({
  backend: 'mysql',
  config,
  bench,
  serverName: 'MariaDB',
  workloads: ['oltp_read_write', 'oltp_read_only', 'oltp_write_only'],
  qps: true,
  benchDatabaseRows: async () => (await withConnection(await mysqlSession(config), (c) => c.query('SHOW DATABASES LIKE ?', [BENCH_DATABASE])))[0] as unknown[],
});
