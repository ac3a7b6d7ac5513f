import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readPid, type LoadedConfig, type StackService, type TaskResult } from '@devstack/core';
import { StackLayout } from '../local/layout';
import type { ProfileTuneOptions } from '../profile-tune';
import { withTempFile } from './files';

/** What a backend's live tune suite needs: its server's own view of settings, and what its profiles and refusals say. */
export interface ProfileTuneSuiteSpec {
  backend: StackService;
  config: LoadedConfig;
  tune(options: ProfileTuneOptions & { config: LoadedConfig }): Promise<TaskResult>;
  /** Create the suite's database with table `known` holding row 1 = 'survives tune'. */
  createKnownRow(): Promise<void>;
  knownRow(): Promise<string | undefined>;
  dropSuiteDatabase(): Promise<void>;
  /** The running server's own value of a setting, read independently of the task's read-back. */
  setting(name: string): Promise<string>;
  activeProfile(config: LoadedConfig): string;
  dev: {
    /** The task's checks in order: [name, passed] or [name, passed, observed]. */
    checks: [string, boolean][] | [string, boolean, string][];
    /** Settings read from the server after applying dev. */
    settings: Record<string, string>;
    /** The start of the durability warning dev must carry. */
    warning: string;
  };
  /** What `--dry-run --profile default` lists as removed, and a dev setting still in force afterwards. */
  dryRun: { removed: string[]; unchanged: [string, string] };
  /** A fragment the server must refuse to start with, the words its log gives, and a dev setting that survives the rollback. */
  refused: { file: string; text: string; logLine: string; unchanged: [string, string] };
  /** The stock values `tune --profile default` restores. */
  stock: Record<string, string>;
}

/**
 * The live tune suite of a backend on the shared profile tune task: dev applied and read back, a dry run that
 * changes nothing, a refused value rolled back with the data intact, default restored. The stack ends on default.
 */
export function describeProfileTune(spec: ProfileTuneSuiteSpec): void {
  const { backend, config } = spec;
  const layout = new StackLayout(config);
  const activeText = () => readFileSync(layout.activeConfig(backend), 'utf8');
  const expectSettings = async (settings: Record<string, string>) => {
    for (const [name, value] of Object.entries(settings)) expect([name, await spec.setting(name)]).toEqual([name, value]);
  };

  beforeAll(() => spec.createKnownRow());

  afterAll(async () => {
    // Leave the stack on its stock profile whatever happened above.
    await spec.tune({ config, profile: 'default' });
    await spec.dropSuiteDatabase();
  });

  describe(`${backend} tune (live)`, () => {
    it('applies the dev profile and reads every setting back', async () => {
      const result = await spec.tune({ config, profile: 'dev' });
      expect(result.data).toMatchObject({ state: 'applied' });
      const withObserved = spec.dev.checks.some((c) => c.length === 3);
      expect(result.checks.map((c) => (withObserved ? [c.name, c.passed, c.observed] : [c.name, c.passed]))).toEqual(spec.dev.checks);
      // Independently of the task's own read-back:
      await expectSettings(spec.dev.settings);
      expect(spec.activeProfile(config)).toBe('dev');
      expect(result.warnings!.some((w) => w.startsWith(spec.dev.warning))).toBe(true);
    });

    it('--dry-run shows the diff and changes nothing (same file, same server process)', async () => {
      const before = activeText();
      const pid = readPid(layout.pid(backend));
      const result = await spec.tune({ config, profile: 'default', dryRun: true });
      expect(result.data).toMatchObject({ state: 'dry-run' });
      expect(result.data!.diff).toEqual(expect.arrayContaining(spec.dryRun.removed));
      expect(activeText()).toBe(before);
      expect(readPid(layout.pid(backend))).toBe(pid);
      expect(await spec.setting(spec.dryRun.unchanged[0])).toBe(spec.dryRun.unchanged[1]);
    });

    it('an invalid value makes the restart fail; the rollback leaves the server up with the old settings and the data', async () => {
      const before = activeText();
      const result = await withTempFile(spec.refused.file, spec.refused.text, (file) => spec.tune({ config, file }));
      expect(result.data).toMatchObject({ state: 'rolled-back' });
      expect(result.checks).toHaveLength(1);
      expect(result.checks[0]).toMatchObject({ name: `${backend} accepted the profile`, passed: false });
      expect(result.checks[0].detail).toMatch(new RegExp(`^rolled back: the server refused the new config: .*${backend}.*exited`));
      expect(readFileSync(path.join(config.stateRoot, 'logs', `${backend}.log`), 'utf8')).toContain(spec.refused.logLine);
      expect(result.notes!.join('\n')).toContain(spec.refused.logLine);
      expect(activeText()).toBe(before);
      expect(await spec.setting(spec.refused.unchanged[0])).toBe(spec.refused.unchanged[1]);
      expect(await spec.knownRow()).toBe('survives tune');
    });

    it('tune default restores the stock settings', async () => {
      const result = await spec.tune({ config, profile: 'default' });
      expect(result.data).toMatchObject({ state: 'applied' });
      await expectSettings(spec.stock);
      expect(spec.activeProfile(config)).toBe('default');
      expect(await spec.knownRow()).toBe('survives tune');
    });
  });
}
