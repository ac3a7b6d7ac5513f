import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@devstack/core';
import { abScratchRepo } from '@devstack/runtime';
import { mysqlSession, withConnection } from '../src/connection';
import { regress } from '../src/regress';
import { tune } from '../src/tune';

// Live suite: a real A/B between two config versions on the embedded MariaDB. The versions live in a
// throwaway git repository (nothing is committed to the project); server, sysbench and driver are real.
const config = loadConfig();
const HEADER = '# MariaDB profile "abtest": the A/B regress suite\'s profile.\n[mysqld]\n';
const LAZY = `${HEADER}innodb_flush_log_at_trx_commit = 2\n`;
const DURABLE = `${HEADER}innodb_flush_log_at_trx_commit = 1\n`;
const small = { quick: true, workloads: ['oltp_write_only'], duration: 1, probeDuration: 1, threads: 2, trials: 5, maxTrials: 10 };
const variable = async (name: string) =>
  withConnection(await mysqlSession(config), async (c) => String(((await c.query(`SELECT @@GLOBAL.${name} AS v`)) as unknown as [{ v: unknown }[]])[0][0].v));

jest.setTimeout(180_000);

afterAll(async () => {
  await tune({ config, profile: 'default' });
});

describe('mysql regress --base (live A/B)', () => {
  it('a commit making every commit flush the redo log regresses oltp_write_only_tps; the stack ends on the working tree', async () => {
    const scratch = await abScratchRepo(config, 'mysql', 'abtest.cnf', LAZY, DURABLE);
    const baseFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'devstack-ab-base-')), 'abtest.cnf');
    writeFileSync(baseFile, LAZY);
    await tune({ config: scratch, file: baseFile });
    expect(await variable('innodb_flush_log_at_trx_commit')).toBe('2');

    const result = await regress({ config: scratch, base: 'HEAD~1', ...small });
    expect({ ...result.data, table: result.tables!.at(-1) }).toMatchObject({ mode: 'ab', profile: 'abtest', verdict: 'regressed', diff: ['- innodb_flush_log_at_trx_commit = 2', '+ innodb_flush_log_at_trx_commit = 1'] });
    expect(result.data!.regressed).toContain('oltp_write_only_tps');
    expect(result.checks.find((c) => c.name === 'oltp_write_only_tps: regressed')?.passed).toBe(false);
    expect(await variable('innodb_flush_log_at_trx_commit')).toBe('1');
  });

  it('a comment-only commit is "identical": nothing measured, exit 0', async () => {
    const scratch = await abScratchRepo(config, 'mysql', 'abtest.cnf', LAZY, LAZY.replace('[mysqld]\n', '[mysqld]\n# a comment\n'));
    await tune({ config: scratch, file: path.join(scratch.root, 'configs/mysql/abtest.cnf') });
    const result = await regress({ config: scratch, base: 'HEAD~1', ...small });
    expect(result.data).toMatchObject({ verdict: 'identical' });
    expect(result.metrics).toEqual([]);
  });
});
