import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, readPid, type TaskResult } from '@devstack/core';
import { StackLayout } from '@devstack/runtime';
import { mysqlSession, withConnection, type MysqlSession } from '../src/connection';
import { activeProfile } from '../src/profiles';
import { tune } from '../src/tune';

// Live suite: the embedded MariaDB of this stack, the real mysql2 driver, no mocks.
const config = loadConfig();
const layout = new StackLayout(config);
const SUITE_DB = 'devstack_suite';
let session: MysqlSession;

const variable = (name: string) =>
  withConnection(session, async (c) => String(((await c.query('SHOW GLOBAL VARIABLES LIKE ?', [name]))[0] as { Value: string }[])[0].Value));
const knownRow = () => withConnection(session, async (c) => ((await c.query(`SELECT note FROM ${SUITE_DB}.known WHERE id = 1`))[0] as { note: string }[])[0]?.note);
const activeText = () => readFileSync(layout.activeConfig('mysql'), 'utf8');
const MiB = 1024 * 1024;

beforeAll(async () => {
  session = await mysqlSession(config);
  await withConnection(session, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${SUITE_DB}`);
    await c.query(`CREATE DATABASE ${SUITE_DB}`);
    await c.query(`CREATE TABLE ${SUITE_DB}.known (id int PRIMARY KEY, note text) ENGINE=InnoDB`);
    await c.query(`INSERT INTO ${SUITE_DB}.known VALUES (1, 'survives tune')`);
  });
});

afterAll(async () => {
  // Leave the stack on its stock profile whatever happened above.
  await tune({ config, profile: 'default' });
  await withConnection(session, (c) => c.query(`DROP DATABASE IF EXISTS ${SUITE_DB}`));
});

describe('mysql tune (live)', () => {
  it('applies the dev profile and reads every setting back', async () => {
    const result = await tune({ config, profile: 'dev' });
    expect(result.data).toMatchObject({ state: 'applied' });
    expect(result.checks.map((c) => [c.name, c.passed, c.observed])).toEqual([
      ['innodb_buffer_pool_size = 512M', true, String(512 * MiB)],
      ['innodb_flush_log_at_trx_commit = 2', true, '2'],
      ['innodb_log_file_size = 128M', true, String(128 * MiB)],
      ['max_connections = 200', true, '200'],
    ]);
    expect(await variable('innodb_buffer_pool_size')).toBe(String(512 * MiB));
    expect(await variable('innodb_flush_log_at_trx_commit')).toBe('2');
    expect(activeProfile(config)).toBe('dev');
    expect(result.warnings!.some((w) => w.startsWith('innodb_flush_log_at_trx_commit = 2: an OS crash or power loss can lose'))).toBe(true);
  });

  it('--dry-run shows the diff and changes nothing (same file, same server process)', async () => {
    const before = activeText();
    const pid = readPid(layout.pid('mysql'));
    const result = await tune({ config, profile: 'default', dryRun: true });
    expect(result.data).toMatchObject({ state: 'dry-run' });
    expect(result.data!.diff).toEqual(expect.arrayContaining(['- innodb_buffer_pool_size = 512M', '- max_connections = 200']));
    expect(activeText()).toBe(before);
    expect(readPid(layout.pid('mysql'))).toBe(pid);
    expect(await variable('max_connections')).toBe('200');
  });

  it('an invalid value makes the restart fail; the rollback leaves the server up with the old settings and the data', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'devstack-bad-'));
    const bad = path.join(dir, 'banana.cnf');
    writeFileSync(bad, '[mysqld]\n# reason: a value MariaDB must refuse\ninnodb_buffer_pool_size = banana\n');
    const before = activeText();
    let result: TaskResult;
    try {
      result = await tune({ config, file: bad });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(result.data).toMatchObject({ state: 'rolled-back' });
    expect(result.checks).toHaveLength(1);
    expect(result.checks[0]).toMatchObject({ name: 'mysql accepted the profile', passed: false });
    expect(result.checks[0].detail).toMatch(/^rolled back: the server refused the new config: .*mysql.*exited/);
    expect(readFileSync(path.join(config.stateRoot, 'logs', 'mysql.log'), 'utf8')).toContain("Error while setting value 'banana' to 'innodb-buffer-pool-size'");
    expect(result.notes!.join('\n')).toContain("Error while setting value 'banana' to 'innodb-buffer-pool-size'");
    expect(activeText()).toBe(before);
    expect(await variable('innodb_buffer_pool_size')).toBe(String(512 * MiB));
    expect(await knownRow()).toBe('survives tune');
  });

  it('tune default restores the stock settings', async () => {
    const result = await tune({ config, profile: 'default' });
    expect(result.data).toMatchObject({ state: 'applied' });
    expect(await variable('innodb_buffer_pool_size')).toBe(String(128 * MiB));
    expect(await variable('innodb_flush_log_at_trx_commit')).toBe('1');
    expect(activeProfile(config)).toBe('default');
    expect(await knownRow()).toBe('survives tune');
  });
});
