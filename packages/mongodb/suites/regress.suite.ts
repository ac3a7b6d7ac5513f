import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@devstack/core';
import { abScratchRepo, providerFor } from '@devstack/runtime';
import { regressMongo } from '../src/regress';
import { connect, serverInfo } from '../src/server';

// Live suite: the A/B regress against the embedded MongoDB-protocol server. On FerretDB a mongod.conf
// change cannot change the server, and the verdict must say so rather than measure noise.
const config = loadConfig();
const HEADER = '# MongoDB profile "abtest": the A/B regress suite\'s profile.\n';
const BEFORE = `${HEADER}storage:\n  wiredTiger:\n    engineConfig:\n      cacheSizeGB: 1\n`;
const AFTER = `${HEADER}storage:\n  wiredTiger:\n    engineConfig:\n      cacheSizeGB: 0.25\n`;

jest.setTimeout(120_000);

const writeTemp = (text: string) => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'devstack-ab-base-')), 'abtest.conf');
  writeFileSync(file, text);
  return file;
};

afterAll(async () => {
  await providerFor(config).applyConfig('mongodb', path.join(config.root, 'configs/mongodb/default.conf'));
});

describe('mongodb regress --base (live)', () => {
  it('a mongod.conf change on FerretDB is "identical", with the reason; nothing measured', async () => {
    const client = await connect(config);
    const info = await serverInfo(client).finally(() => client.close());
    const scratch = await abScratchRepo(config, 'mongodb', 'abtest.conf', BEFORE, AFTER);
    // The server's active config file is the base version (FerretDB ignores it; the A/B reads it).
    await providerFor(scratch).applyConfig('mongodb', writeTemp(BEFORE));
    if (info.name !== 'FerretDB') {
      // mongod: the same call measures both arms; the verdict is one of the statistical ones.
      const r = await regressMongo({ config: scratch, base: 'HEAD~1', quick: true, workloads: ['C'], trials: 5, maxTrials: 5 });
      expect(['regressed', 'improved', 'no-change', 'inconclusive', 'below-floor']).toContain(r.data!.verdict);
      return;
    }
    const result = await regressMongo({ config: scratch, base: 'HEAD~1', quick: true, trials: 5 });
    expect(result.data).toMatchObject({ mode: 'ab', verdict: 'identical', diff: ['- cacheSizeGB: 1', '+ cacheSizeGB: 0.25'] });
    expect(result.tables![0].rows[0][1]).toMatch(/^the server is FerretDB .*does not apply to it/);
    expect(result.metrics).toEqual([]);
  });

  it('refuses an unknown base ref with BAD_INPUT', async () => {
    const scratch = await abScratchRepo(config, 'mongodb', 'abtest.conf', BEFORE, AFTER);
    await expect(regressMongo({ config: scratch, base: 'v0-missing', quick: true })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('--base v0-missing is not a commit') });
  });
});
