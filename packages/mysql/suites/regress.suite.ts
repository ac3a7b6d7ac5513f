import { loadConfig } from '@devstack/core';
import { describeAbRegress } from '@devstack/runtime/testing';
import { mysqlSession, withConnection } from '../src/connection';
import { regress } from '../src/regress';
import { tune } from '../src/tune';

// Live suite: a real A/B between two config versions on the embedded MariaDB. The versions live in a
// throwaway git repository (nothing is committed to the project); server, sysbench and driver are real.
const config = loadConfig();

describeAbRegress({
  backend: 'mysql',
  config,
  regress,
  tune,
  ext: 'cnf',
  header: '# MariaDB profile "abtest": the A/B regress suite\'s profile.\n[mysqld]\n',
  setting: { name: 'innodb_flush_log_at_trx_commit', before: '2', after: '1' },
  change: 'making every commit flush the redo log',
  metric: 'oltp_write_only_tps',
  small: { quick: true, workloads: ['oltp_write_only'], duration: 1, probeDuration: 1, threads: 2, trials: 5, maxTrials: 10 },
  read: async (name) =>
    withConnection(await mysqlSession(config), async (c) => String(((await c.query(`SELECT @@GLOBAL.${name} AS v`)) as unknown as [{ v: unknown }[]])[0][0].v)),
});
