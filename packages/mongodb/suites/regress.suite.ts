import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@devstack/core';
import { abScratchRepo, mongoBackendSettings } from '@devstack/runtime';
import { regress } from '../src/regress';
import { tune } from '../src/tune';

// Live suite: a real A/B between two versions of FerretDB's backend PostgreSQL profile. The versions
// live in a throwaway git repository (nothing is committed to the project); the servers are real.
const config = loadConfig();
const HEADER = '# FerretDB backend profile "abtest": the A/B regress suite\'s profile.\n';
const OFF = `${HEADER}synchronous_commit = off\n`;
const ON = `${HEADER}synchronous_commit = on\n`;
const small = { quick: true, workloads: ['A'], only: 'ycsb' as const, trials: 5, maxTrials: 5 };
const syncCommit = async () => (await mongoBackendSettings(config, ['synchronous_commit'])).synchronous_commit;

jest.setTimeout(240_000);

afterAll(async () => {
  await tune({ config, profile: 'default' });
});

describe('mongodb regress --base (live A/B on FerretDB\'s backend PostgreSQL)', () => {
  it('a real change is measured side by side with a named statistical verdict, and the stack ends on the working tree', async () => {
    const scratch = await abScratchRepo(config, 'mongodb', 'abtest.conf', OFF, ON);
    const baseFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'devstack-ab-base-')), 'abtest.conf');
    writeFileSync(baseFile, OFF);
    await tune({ config: scratch, file: baseFile });
    expect(await syncCommit()).toBe('off');

    const result = await regress({ config: scratch, base: 'HEAD~1', ...small });
    expect(result.data).toMatchObject({ mode: 'ab', diff: ['- synchronous_commit = off', '+ synchronous_commit = on'] });
    expect(['regressed', 'improved', 'no-change', 'inconclusive']).toContain(result.data!.verdict);
    expect(result.metrics.length).toBeGreaterThan(0);
    expect(result.tables!.some((t) => t.title.includes('Hodges-Lehmann'))).toBe(true);
    expect(await syncCommit()).toBe('on');
  });

  it('a comment-only commit is "identical": exit 0, nothing measured', async () => {
    const scratch = await abScratchRepo(config, 'mongodb', 'abtest.conf', OFF, `${HEADER}# only a comment changed\nsynchronous_commit = off\n`);
    await tune({ config: scratch, file: `${scratch.root}/configs/mongodb/abtest.conf` });
    const result = await regress({ config: scratch, base: 'HEAD~1', ...small });
    expect(result.data).toMatchObject({ mode: 'ab', verdict: 'identical' });
    expect(result.metrics).toEqual([]);
  });

  it('refuses an unknown base ref with BAD_INPUT', async () => {
    const scratch = await abScratchRepo(config, 'mongodb', 'abtest.conf', OFF, ON);
    await expect(regress({ config: scratch, base: 'v0-missing', quick: true })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('--base v0-missing is not a commit') });
  });
});
