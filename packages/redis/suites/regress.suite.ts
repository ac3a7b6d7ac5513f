import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@devstack/core';
import { abScratchRepo, providerFor } from '@devstack/runtime';
import { regress } from '../src/regress';
import { tune } from '../src/tune';

// Live suite: a real A/B between two redis.conf versions on the six-node cluster (rolling restarts,
// CONFIG GET read-back). The versions live in a throwaway git repository; nothing is committed.
const config = loadConfig();
const HEADER = '# Redis profile "abtest": the A/B regress suite\'s profile.\n';
const LAZY = `${HEADER}appendonly no\n`;
const FSYNC = `${HEADER}appendonly yes\nappendfsync always\n`;
const small = { quick: true, only: 'client' as const, clientSeconds: 0.3, trials: 5, maxTrials: 6 };

jest.setTimeout(360_000);

afterAll(async () => {
  await tune({ config, profile: 'default' });
});

describe('redis regress --base (live A/B)', () => {
  // appendfsync always makes every write wait for an fsync; how much that costs depends on the disk and
  // on how many writes share one event-loop turn, so the suite asserts the direction and the A/B itself,
  // and accepts "inconclusive" (never "improved" or "no-change") on a noisy machine.
  it('a commit that fsyncs every write (appendfsync always): client throughput moves down, the cluster ends on the working tree', async () => {
    const scratch = await abScratchRepo(config, 'redis', 'abtest.conf', LAZY, FSYNC);
    const baseFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'devstack-ab-base-')), 'abtest.conf');
    writeFileSync(baseFile, LAZY);
    await providerFor(scratch).applyConfig('redis', baseFile);
    const result = await regress({ config: scratch, base: 'HEAD~1', ...small });
    expect(result.data).toMatchObject({ mode: 'ab', profile: 'abtest', diff: ['- appendonly no', '+ appendonly yes', '+ appendfsync always'] });
    const rows = result.data!.results as { name: string; verdict: string; change: number; n: number[]; low?: number }[];
    const ops = rows.filter((r) => /^client_(single|cluster)_ops$/.test(r.name));
    expect({ verdict: result.data!.verdict, ops }).toMatchObject({ verdict: expect.stringMatching(/^(regressed|inconclusive)$/) });
    expect(ops).toHaveLength(2);
    for (const r of ops) {
      expect(r.n[0]).toBeGreaterThanOrEqual(5);
      expect(r.low).toEqual(expect.any(Number));
      expect(['regressed', 'inconclusive']).toContain(r.verdict);
    }
    expect(Math.min(...ops.map((r) => r.change))).toBeLessThan(0);
    expect(readFileSync(providerFor(config).activeConfig('redis')!, 'utf8')).toBe(FSYNC);
  });

  it('a comment-only commit is "identical": nothing measured', async () => {
    const scratch = await abScratchRepo(config, 'redis', 'abtest.conf', LAZY, `${LAZY}# a comment\n`);
    await providerFor(scratch).applyConfig('redis', path.join(scratch.root, 'configs/redis/abtest.conf'));
    const result = await regress({ config: scratch, base: 'HEAD~1', ...small });
    expect(result.data).toMatchObject({ verdict: 'identical' });
    expect(result.metrics).toEqual([]);
  });
});
