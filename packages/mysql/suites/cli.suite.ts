import * as path from 'node:path';
import { loadConfig } from '@devstack/core';
import { describeBackendCli } from '@devstack/runtime/testing';
import { mysqlSession, withConnection } from '../src/connection';

// The built CLI (nx `test` depends on `build`), run as a user would: exit codes and --json.
const maxConnections = async () =>
  withConnection(await mysqlSession(loadConfig()), async (c) => String(((await c.query("SHOW GLOBAL VARIABLES LIKE 'max_connections'"))[0] as { Value: string }[])[0].Value));
const clamped = 'setting(s) did not take: max_connections requested 0, effective 10';

describeBackendCli({
  backend: 'mysql',
  packageDir: path.join(__dirname, '..'),
  serverName: 'MariaDB',
  refused: {
    title: 'a value the server silently clamps does not take: rolled back, exit 1, old value in place',
    file: 'clamp.cnf',
    // MariaDB starts, but raises max_connections = 0 to its minimum of 10.
    text: '[mysqld]\nmax_connections = 0\n',
    expect: (json) => {
      expect(json.data).toMatchObject({ state: 'rolled-back', reason: clamped });
      expect(json.checks).toEqual([{ name: 'mysql accepted the profile', passed: false, detail: `rolled back: ${clamped}` }]);
    },
    unchanged: maxConnections,
  },
});
