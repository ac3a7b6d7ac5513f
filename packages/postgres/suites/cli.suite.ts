import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The built CLI (nx `test` depends on `build`), run as a user would: exit codes and --json.
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args, '--json', '--quiet'], { encoding: 'utf8', env: process.env, timeout: 120_000 });
  return { code: r.status, json: JSON.parse(r.stdout) };
};

describe('postgres CLI (live)', () => {
  it('an unknown profile is exit 2 with BAD_INPUT and the profiles that exist', () => {
    const { code, json } = run('tune', '--profile', 'turbo');
    expect(code).toBe(2);
    expect(json.error).toMatchObject({ code: 'BAD_INPUT', message: 'Unknown PostgreSQL profile "turbo".', exitCode: 2 });
    expect(json.error.fix).toContain('--profile default|dev|auto');
  });

  it('a refused profile is rolled back and exits 1, with the result on stdout', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'devstack-bad-'));
    try {
      const bad = path.join(dir, 'bad.conf');
      writeFileSync(bad, 'max_connections = -5\n');
      const { code, json } = run('tune', '--file', bad);
      expect(code).toBe(1);
      expect(json.data.state).toBe('rolled-back');
      expect(json.checks[0]).toMatchObject({ name: 'postgres accepted the profile', passed: false });
      expect(json.notes.join('\n')).toMatch(/max_connections/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
