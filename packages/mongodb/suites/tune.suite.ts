import { existsSync, readFileSync } from 'node:fs';
import { isDevstackError, loadConfig } from '@devstack/core';
import { mongoBinary, providerFor } from '@devstack/runtime';
import { connect, serverInfo, type MongoServerInfo } from '../src/server';
import { tune } from '../src/tune';

// Live suite: tune against whatever MongoDB-protocol server the stack runs (FerretDB here, mongod elsewhere).
const config = loadConfig();
// The local provider starts mongod when it is on PATH, else FerretDB: the server-specific case that
// cannot run here is reported as skipped, not passed.
const server = mongoBinary()?.server;
const onFerret = server === 'FerretDB' ? it : it.skip;
const onMongod = server === 'MongoDB' ? it : it.skip;
let info: MongoServerInfo;
const activeFile = () => providerFor(config).activeConfig('mongodb')!;
const active = () => (existsSync(activeFile()) ? readFileSync(activeFile(), 'utf8') : '');

beforeAll(async () => {
  const client = await connect(config);
  info = await serverInfo(client);
  await client.close();
});

describe('mongodb tune', () => {
  it('refuses an unknown profile (BAD_INPUT) and changes nothing', async () => {
    const before = active();
    const err = await tune({ config, profile: 'bogus' }).catch((e) => e);
    expect(isDevstackError(err, 'BAD_INPUT')).toBe(true);
    expect(err.message).toBe('Unknown MongoDB profile "bogus".');
    expect(active()).toBe(before);
  });

  onFerret('on FerretDB: says per setting that it does not apply and why, and changes nothing', async () => {
    expect(info.name).toBe('FerretDB');
    const before = active();
    const result = await tune({ config, profile: 'dev' });
    expect(result.data?.state).toBe('not-applicable');
    expect(result.server?.name).toBe('FerretDB');
    expect(result.checks).toHaveLength(3);
    for (const c of result.checks) {
      expect(c).toMatchObject({ passed: false, skipped: true });
      expect(c.detail).toMatch(/^not applicable: FerretDB /);
    }
    expect(result.tables![0].rows.map((r) => r[2])).toEqual(['no', 'no', 'no']);
    expect(active()).toBe(before);
  });

  onMongod('on mongod: applies dev with read-back, then default again', async () => {
    expect(info.name).toBe('MongoDB');
    const applied = await tune({ config, profile: 'dev' });
    expect(applied.data?.state).toBe('applied');
    expect(applied.checks.every((c) => c.passed)).toBe(true);
    const back = await tune({ config, profile: 'default' });
    expect(back.data?.state).toBe('applied');
  });
});
