import { loadConfig } from '@devstack/core';
import { describeProfileTune } from '@devstack/runtime/testing';
import { pgSession, withClient } from '../src/connection';
import { activeProfile } from '../src/profiles';
import { tune } from '../src/tune';

// Live suite: the embedded PostgreSQL of this stack, the real pg driver, no mocks.
const config = loadConfig();
const SUITE_DB = 'devstack_suite';
const admin = async <T>(sql: string, database?: string) => withClient(await pgSession(config), (c) => c.query<T & object>(sql), database);

describeProfileTune({
  backend: 'postgres',
  config,
  tune,
  createKnownRow: async () => {
    await admin(`DROP DATABASE IF EXISTS ${SUITE_DB} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${SUITE_DB}`);
    await admin("CREATE TABLE known (id int PRIMARY KEY, note text); INSERT INTO known VALUES (1, 'survives tune')", SUITE_DB);
  },
  knownRow: async () => (await admin<{ note: string }>('SELECT note FROM known WHERE id = 1', SUITE_DB)).rows[0]?.note,
  dropSuiteDatabase: async () => void (await admin(`DROP DATABASE IF EXISTS ${SUITE_DB} WITH (FORCE)`)),
  setting: async (name) => (await admin<Record<string, string>>(`SHOW ${name}`)).rows[0][name],
  activeProfile,
  dev: {
    checks: [
      ['shared_buffers = 512MB', true],
      ['work_mem = 16MB', true],
      ['effective_cache_size = 2GB', true],
      ['synchronous_commit = off', true],
      ['checkpoint_completion_target = 0.9', true],
    ],
    settings: { shared_buffers: '512MB', synchronous_commit: 'off' },
    warning: 'synchronous_commit = off: a server or OS crash can lose',
  },
  dryRun: { removed: ['- shared_buffers = 512MB', '- synchronous_commit = off'], unchanged: ['shared_buffers', '512MB'] },
  refused: {
    file: 'banana.conf',
    text: "# reason: a value PostgreSQL must refuse\nshared_buffers = 'banana'\n",
    logLine: 'invalid value for parameter "shared_buffers": "banana"',
    unchanged: ['shared_buffers', '512MB'],
  },
  stock: { shared_buffers: '128MB', synchronous_commit: 'on' },
});
