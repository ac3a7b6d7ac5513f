import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@devstack/core';
import { abScratchRepo } from '@devstack/runtime';
import { pgSession, withClient } from '../src/connection';
import { regress } from '../src/regress';
import { tune } from '../src/tune';

// Live suite: a real A/B between two config versions on the embedded PostgreSQL. The versions live in a
// throwaway git repository (nothing is committed to the project); the server, pgbench and driver are real.
const config = loadConfig();
const HEADER = '# PostgreSQL profile "abtest": the A/B regress suite\'s profile.\n';
const OFF = `${HEADER}synchronous_commit = off\n`;
const ON = `${HEADER}synchronous_commit = on\n`;
const small = { quick: true, workloads: ['tpcb-like'], duration: 1, probeDuration: 1, clients: 2, threads: 1, trials: 5, maxTrials: 10 };
const show = async (name: string) => withClient(await pgSession(config), async (c) => (await c.query(`SHOW ${name}`)).rows[0][name] as string);

jest.setTimeout(180_000);

afterAll(async () => {
  await tune({ config, profile: 'default' });
});

describe('postgres regress --base (live A/B)', () => {
  it('a commit turning synchronous_commit off -> on regresses tpcb_like_tps, and the stack ends on the working tree', async () => {
    const scratch = await abScratchRepo(config, 'postgres', 'abtest.conf', OFF, ON);
    // The server runs the base version, as it did before the commit.
    const baseFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'devstack-ab-base-')), 'abtest.conf');
    writeFileSync(baseFile, OFF);
    await tune({ config: scratch, file: baseFile });
    expect(await show('synchronous_commit')).toBe('off');

    const result = await regress({ config: scratch, base: 'HEAD~1', ...small });
    expect({ ...result.data, table: result.tables!.at(-1) }).toMatchObject({ mode: 'ab', profile: 'abtest', verdict: 'regressed', diff: ['- synchronous_commit = off', '+ synchronous_commit = on'] });
    expect(result.data!.regressed).toContain('tpcb_like_tps');
    const check = result.checks.find((c) => c.name === 'tpcb_like_tps: regressed')!;
    expect(check.passed).toBe(false);
    expect(check.observed).toMatch(/^-\d+\.\d% \[-\d+\.\d%, -\d+\.\d%\], n \d+\+\d+$/);
    expect(result.tables!.some((t) => t.title.includes('Hodges-Lehmann'))).toBe(true);
    // Ended on the working tree's version, read back from the server itself.
    expect(await show('synchronous_commit')).toBe('on');
  });

  it('a comment-only commit is "identical": exit 0, nothing measured', async () => {
    const scratch = await abScratchRepo(config, 'postgres', 'abtest.conf', OFF, `${HEADER}# only a comment changed\nsynchronous_commit = off\n`);
    await tune({ config: scratch, file: `${scratch.root}/configs/postgres/abtest.conf` });
    const result = await regress({ config: scratch, base: 'HEAD~1', ...small });
    expect(result.data).toMatchObject({ mode: 'ab', verdict: 'identical' });
    expect(result.metrics).toEqual([]);
    expect(result.checks.every((c) => c.passed || c.skipped)).toBe(true);
  });

  it('refuses an unknown base ref with BAD_INPUT before touching the server', async () => {
    const scratch = await abScratchRepo(config, 'postgres', 'abtest.conf', OFF, ON);
    await expect(regress({ config: scratch, base: 'no-such-ref', ...small })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('--base no-such-ref is not a commit') });
  });
});
