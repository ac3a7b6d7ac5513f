import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, readPid, type TaskResult } from '@devstack/core';
import { StackLayout } from '@devstack/runtime';
import { pgSession, withClient, type PgSession } from '../src/connection';
import { activeProfile } from '../src/profiles';
import { tune } from '../src/tune';

// Live suite: the embedded PostgreSQL of this stack, the real pg driver, no mocks.
const config = loadConfig();
const layout = new StackLayout(config);
const SUITE_DB = 'devstack_suite';
let session: PgSession;

const show = (name: string) => withClient(session, async (c) => (await c.query(`SHOW ${name}`)).rows[0][name] as string);
const knownRow = () => withClient(session, async (c) => (await c.query('SELECT note FROM known WHERE id = 1')).rows[0]?.note as string | undefined, SUITE_DB);
const activeText = () => readFileSync(layout.activeConfig('postgres'), 'utf8');

beforeAll(async () => {
  session = await pgSession(config);
  await withClient(session, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${SUITE_DB} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${SUITE_DB}`);
  });
  await withClient(session, (c) => c.query("CREATE TABLE known (id int PRIMARY KEY, note text); INSERT INTO known VALUES (1, 'survives tune')"), SUITE_DB);
});

afterAll(async () => {
  // Leave the stack on its stock profile whatever happened above.
  await tune({ config, profile: 'default' });
  await withClient(session, (c) => c.query(`DROP DATABASE IF EXISTS ${SUITE_DB} WITH (FORCE)`));
});

describe('postgres tune (live)', () => {
  it('applies the dev profile and reads every setting back', async () => {
    const result = await tune({ config, profile: 'dev' });
    expect(result.data).toMatchObject({ state: 'applied' });
    expect(result.checks.map((c) => [c.name, c.passed])).toEqual([
      ['shared_buffers = 512MB', true],
      ['work_mem = 16MB', true],
      ['effective_cache_size = 2GB', true],
      ['synchronous_commit = off', true],
      ['checkpoint_completion_target = 0.9', true],
    ]);
    // Independently of the task's own read-back:
    expect(await show('shared_buffers')).toBe('512MB');
    expect(await show('synchronous_commit')).toBe('off');
    expect(activeProfile(config)).toBe('dev');
    expect(result.warnings!.some((w) => w.startsWith('synchronous_commit = off: a server or OS crash can lose'))).toBe(true);
  });

  it('--dry-run shows the diff and changes nothing (same file, same server process)', async () => {
    const before = activeText();
    const pid = readPid(layout.pid('postgres'));
    const result = await tune({ config, profile: 'default', dryRun: true });
    expect(result.data).toMatchObject({ state: 'dry-run' });
    expect(result.data!.diff).toEqual(expect.arrayContaining(['- shared_buffers = 512MB', '- synchronous_commit = off']));
    expect(activeText()).toBe(before);
    expect(readPid(layout.pid('postgres'))).toBe(pid);
    expect(await show('shared_buffers')).toBe('512MB');
  });

  it('an invalid value makes the restart fail; the rollback leaves the server up with the old settings and the data', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'devstack-bad-'));
    const bad = path.join(dir, 'banana.conf');
    writeFileSync(bad, "# reason: a value PostgreSQL must refuse\nshared_buffers = 'banana'\n");
    const before = activeText();
    let result: TaskResult;
    try {
      result = await tune({ config, file: bad });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(result.data).toMatchObject({ state: 'rolled-back' });
    expect(result.checks).toHaveLength(1);
    expect(result.checks[0]).toMatchObject({ name: 'postgres accepted the profile', passed: false });
    expect(result.checks[0].detail).toMatch(/^rolled back: the server refused the new config: .*postgres.*exited/);
    expect(readFileSync(path.join(config.stateRoot, 'logs', 'postgres.log'), 'utf8')).toContain('invalid value for parameter "shared_buffers": "banana"');
    expect(result.notes!.join('\n')).toContain('invalid value for parameter "shared_buffers": "banana"');
    expect(activeText()).toBe(before);
    expect(await show('shared_buffers')).toBe('512MB');
    expect(await knownRow()).toBe('survives tune');
  });

  it('tune default restores the stock settings', async () => {
    const result = await tune({ config, profile: 'default' });
    expect(result.data).toMatchObject({ state: 'applied' });
    expect(await show('shared_buffers')).toBe('128MB');
    expect(await show('synchronous_commit')).toBe('on');
    expect(activeProfile(config)).toBe('default');
    expect(await knownRow()).toBe('survives tune');
  });
});
