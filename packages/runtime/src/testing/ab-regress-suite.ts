import * as path from 'node:path';
import type { LoadedConfig, RegressOptions, TaskResult } from '@devstack/core';
import { abScratchRepo } from '../ab-scratch';
import type { ProfileTuneOptions } from '../profile-tune';
import { withTempFile } from './files';

type Options<O> = O & { config: LoadedConfig };

/**
 * A backend's live A/B regress suite: a commit in a throwaway git repository changes one durability setting
 * from `before` to `after` (real slowdown), another changes only a comment.
 */
export interface AbRegressSuiteSpec<O extends RegressOptions & ProfileTuneOptions> {
  backend: string;
  config: LoadedConfig;
  regress(options: Options<O>): Promise<TaskResult>;
  tune(options: Options<ProfileTuneOptions>): Promise<TaskResult>;
  /** The config file extension (conf, cnf). */
  ext: string;
  /** The profile file's head (comment, section), the setting line follows it. */
  header: string;
  setting: { name: string; before: string; after: string };
  /** The running server's own value of a setting. */
  read(name: string): Promise<string>;
  /** The metric the change must regress. */
  metric: string;
  /** Small A/B trial options (workload, durations, trials). */
  small: Partial<O>;
  /** The first case's title: what the commit does. */
  change: string;
}

/** Same-run A/B between two config versions on the live server: a real regression is found, a comment is "identical", a bad ref is refused. */
export function describeAbRegress<O extends RegressOptions & ProfileTuneOptions>(spec: AbRegressSuiteSpec<O>): void {
  const { backend, config, header, setting } = spec;
  const file = `abtest.${spec.ext}`;
  const line = (value: string) => `${setting.name} = ${value}`;
  const before = `${header}${line(setting.before)}\n`;
  const after = `${header}${line(setting.after)}\n`;
  const regress = (scratch: LoadedConfig, base: string) => spec.regress({ config: scratch, base, ...spec.small } as Options<O>);

  jest.setTimeout(180_000);

  afterAll(async () => {
    await spec.tune({ config, profile: 'default' });
  });

  describe(`${backend} regress --base (live A/B)`, () => {
    it(`a commit ${spec.change} regresses ${spec.metric}, and the stack ends on the working tree`, async () => {
      const scratch = await abScratchRepo(config, backend, file, before, after);
      // The server runs the base version, as it did before the commit.
      await withTempFile(file, before, (baseFile) => spec.tune({ config: scratch, file: baseFile }));
      expect(await spec.read(setting.name)).toBe(setting.before);

      const result = await regress(scratch, 'HEAD~1');
      expect({ ...result.data, table: result.tables!.at(-1) }).toMatchObject({ mode: 'ab', profile: 'abtest', verdict: 'regressed', diff: [`- ${line(setting.before)}`, `+ ${line(setting.after)}`] });
      expect(result.data!.regressed).toContain(spec.metric);
      const check = result.checks.find((c) => c.name === `${spec.metric}: regressed`)!;
      expect(check.passed).toBe(false);
      expect(check.observed).toMatch(/^-\d+\.\d% \[-\d+\.\d%, -\d+\.\d%\], n \d+\+\d+$/);
      expect(result.tables!.some((t) => t.title.includes('Hodges-Lehmann'))).toBe(true);
      // Ended on the working tree's version, read back from the server itself.
      expect(await spec.read(setting.name)).toBe(setting.after);
    });

    it('a comment-only commit is "identical": exit 0, nothing measured', async () => {
      const scratch = await abScratchRepo(config, backend, file, before, `${header}# only a comment changed\n${line(setting.before)}\n`);
      await spec.tune({ config: scratch, file: path.join(scratch.root, 'configs', backend, file) });
      const result = await regress(scratch, 'HEAD~1');
      expect(result.data).toMatchObject({ mode: 'ab', verdict: 'identical' });
      expect(result.metrics).toEqual([]);
      expect(result.checks.every((c) => c.passed || c.skipped)).toBe(true);
    });

    it('refuses an unknown base ref with BAD_INPUT before touching the server', async () => {
      const scratch = await abScratchRepo(config, backend, file, before, after);
      await expect(regress(scratch, 'no-such-ref')).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('--base no-such-ref is not a commit') });
    });
  });
}
