import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@devstack/core';
import { mysqlSession, withConnection } from '../src/connection';

// The built CLI (nx `test` depends on `build`), run as a user would: exit codes and --json.
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args, '--json', '--quiet'], { encoding: 'utf8', env: process.env, timeout: 120_000 });
  return { code: r.status, json: JSON.parse(r.stdout) };
};

describe('mysql CLI (live)', () => {
  it('an unknown profile is exit 2 with BAD_INPUT and the profiles that exist', () => {
    const { code, json } = run('tune', '--profile', 'turbo');
    expect(code).toBe(2);
    expect(json.error).toMatchObject({ code: 'BAD_INPUT', message: 'Unknown MariaDB profile "turbo".', exitCode: 2 });
    expect(json.error.fix).toContain('--profile default|dev|auto');
  });

  it('a value the server silently clamps does not take: rolled back, exit 1, old value in place', async () => {
    const session = await mysqlSession(loadConfig());
    const maxConnections = () => withConnection(session, async (c) => String(((await c.query("SHOW GLOBAL VARIABLES LIKE 'max_connections'"))[0] as { Value: string }[])[0].Value));
    const before = await maxConnections();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'devstack-clamp-'));
    try {
      const file = path.join(dir, 'clamp.cnf');
      // MariaDB starts, but raises max_connections = 0 to its minimum of 10.
      writeFileSync(file, '[mysqld]\nmax_connections = 0\n');
      const { code, json } = run('tune', '--file', file);
      expect(code).toBe(1);
      expect(json.data).toMatchObject({ state: 'rolled-back', reason: 'setting(s) did not take: max_connections requested 0, effective 10' });
      expect(json.checks).toEqual([{ name: 'mysql accepted the profile', passed: false, detail: 'rolled back: setting(s) did not take: max_connections requested 0, effective 10' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await maxConnections()).toBe(before);
  });
});
