import { loadConfig } from '@devstack/core';
import { describeProfileTune } from '@devstack/runtime/testing';
import { mysqlSession, withConnection } from '../src/connection';
import { activeProfile } from '../src/profiles';
import { tune } from '../src/tune';

// Live suite: the embedded MariaDB of this stack, the real mysql2 driver, no mocks.
const config = loadConfig();
const SUITE_DB = 'devstack_suite';
const MiB = 1024 * 1024;
const rows = async <T>(sql: string, values: unknown[] = []) => withConnection(await mysqlSession(config), async (c) => (await c.query(sql, values))[0] as T[]);

describeProfileTune({
  backend: 'mysql',
  config,
  tune,
  createKnownRow: async () => {
    await rows(`DROP DATABASE IF EXISTS ${SUITE_DB}`);
    await rows(`CREATE DATABASE ${SUITE_DB}`);
    await rows(`CREATE TABLE ${SUITE_DB}.known (id int PRIMARY KEY, note text) ENGINE=InnoDB`);
    await rows(`INSERT INTO ${SUITE_DB}.known VALUES (1, 'survives tune')`);
  },
  knownRow: async () => (await rows<{ note: string }>(`SELECT note FROM ${SUITE_DB}.known WHERE id = 1`))[0]?.note,
  dropSuiteDatabase: async () => void (await rows(`DROP DATABASE IF EXISTS ${SUITE_DB}`)),
  setting: async (name) => String((await rows<{ Value: string }>('SHOW GLOBAL VARIABLES LIKE ?', [name]))[0].Value),
  activeProfile,
  dev: {
    checks: [
      ['innodb_buffer_pool_size = 512M', true, String(512 * MiB)],
      ['innodb_flush_log_at_trx_commit = 2', true, '2'],
      ['innodb_log_file_size = 128M', true, String(128 * MiB)],
      ['max_connections = 200', true, '200'],
    ],
    settings: { innodb_buffer_pool_size: String(512 * MiB), innodb_flush_log_at_trx_commit: '2' },
    warning: 'innodb_flush_log_at_trx_commit = 2: an OS crash or power loss can lose',
  },
  dryRun: { removed: ['- innodb_buffer_pool_size = 512M', '- max_connections = 200'], unchanged: ['max_connections', '200'] },
  refused: {
    file: 'banana.cnf',
    text: '[mysqld]\n# reason: a value MariaDB must refuse\ninnodb_buffer_pool_size = banana\n',
    logLine: "Error while setting value 'banana' to 'innodb-buffer-pool-size'",
    unchanged: ['innodb_buffer_pool_size', String(512 * MiB)],
  },
  stock: { innodb_buffer_pool_size: String(128 * MiB), innodb_flush_log_at_trx_commit: '1' },
});
