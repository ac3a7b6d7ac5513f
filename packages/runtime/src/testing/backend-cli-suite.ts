import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { withTempFile } from './files';

/** The built CLI's answer to one command, run as a user would with --json --quiet. */
export interface CliRun {
  code: number | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** Run `<packageDir>/dist/cli.js args... --json --quiet` (nx `test` depends on `build`). */
export function runBuiltCli(packageDir: string, ...args: string[]): CliRun {
  const cli = path.join(packageDir, 'dist', 'cli.js');
  const r = spawnSync(process.execPath, [cli, ...args, '--json', '--quiet'], { encoding: 'utf8', env: process.env, timeout: 120_000 });
  return { code: r.status, json: JSON.parse(r.stdout) };
}

export interface BackendCliSuiteSpec {
  backend: string;
  /** The package folder (the suite's `path.join(__dirname, '..')`). */
  packageDir: string;
  serverName: string;
  /** A profile file the tune must not keep: rolled back, exit 1. */
  refused: {
    title: string;
    file: string;
    text: string;
    /** Backend-specific assertions on the --json result. */
    expect(json: CliRun['json']): void;
    /** A server value that must be the same before and after the rolled-back run. */
    unchanged?: () => Promise<string>;
  };
}

/** The built CLI of a backend with profiles, run as a user would: exit codes and --json. */
export function describeBackendCli(spec: BackendCliSuiteSpec): void {
  const run = (...args: string[]) => runBuiltCli(spec.packageDir, ...args);

  describe(`${spec.backend} CLI (live)`, () => {
    it('an unknown profile is exit 2 with BAD_INPUT and the profiles that exist', () => {
      const { code, json } = run('tune', '--profile', 'turbo');
      expect(code).toBe(2);
      expect(json.error).toMatchObject({ code: 'BAD_INPUT', message: `Unknown ${spec.serverName} profile "turbo".`, exitCode: 2 });
      expect(json.error.fix).toContain('--profile default|dev|auto');
    });

    it(spec.refused.title, async () => {
      const before = await spec.refused.unchanged?.();
      const { code, json } = await withTempFile(spec.refused.file, spec.refused.text, (file) => run('tune', '--file', file));
      expect(code).toBe(1);
      expect(json.data.state).toBe('rolled-back');
      expect(json.checks[0]).toMatchObject({ name: `${spec.backend} accepted the profile`, passed: false });
      spec.refused.expect(json);
      if (spec.refused.unchanged) expect(await spec.refused.unchanged()).toBe(before);
    });
  });
}
