import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { endpointsOf, getCredentials, isDevstackError, loadConfig, readPid } from '@devstack/core';
import { mongoBackendSettings, mongoBinary, MONGO_BACKEND_PID, providerFor, StackLayout } from '@devstack/runtime';
import { withTempFile } from '@devstack/runtime/testing';
import { activeBackendProfile } from '../src/backend-profiles';
import { connect, serverInfo, type MongoServerInfo } from '../src/server';
import { tune } from '../src/tune';

// Live suite: tune against whatever MongoDB-protocol server the stack runs: FerretDB here (its knobs are
// its own backend PostgreSQL's), mongod elsewhere. The case that cannot run here is skipped, not passed.
const config = loadConfig();
const layout = new StackLayout(config);
const server = mongoBinary()?.server;
const onFerret = server === 'FerretDB' ? it : it.skip;
const onMongod = server === 'MongoDB' ? it : it.skip;
const SUITE_DB = 'devstack_suite_tune';
let info: MongoServerInfo;
const activeFile = () => providerFor(config).activeConfig('mongodb')!;
const active = () => readFileSync(activeFile(), 'utf8');
const backend = async (name: string) => (await mongoBackendSettings(config, [name]))[name];

/** A setting of the `postgres` service (not FerretDB's backend): tuning the document store must not touch it. */
async function postgresService(name: string): Promise<string> {
  const creds = await getCredentials(config, 'postgres');
  const { host, port } = endpointsOf(config).postgres;
  const c = new Client({ host, port, user: creds.user, password: creds.password, database: 'postgres' });
  await c.connect();
  try {
    return (await c.query(`SHOW ${name}`)).rows[0][name];
  } finally {
    await c.end();
  }
}

async function knownDoc(): Promise<unknown> {
  const client = await connect(config);
  try {
    return (await client.db(SUITE_DB).collection<{ _id: number; note: string }>('known').findOne({ _id: 1 }))?.note;
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  const client = await connect(config);
  try {
    info = await serverInfo(client);
    if (info.name === 'FerretDB') {
      await client.db(SUITE_DB).dropDatabase();
      await client.db(SUITE_DB).collection<{ _id: number; note: string }>('known').insertOne({ _id: 1, note: 'survives tune' });
    }
  } finally {
    await client.close();
  }
});

afterAll(async () => {
  if (info?.name !== 'FerretDB') return;
  await tune({ config, profile: 'default' });
  const client = await connect(config);
  await client.db(SUITE_DB).dropDatabase();
  await client.close();
});

describe('mongodb tune', () => {
  onFerret('refuses an unknown profile (BAD_INPUT) and changes nothing', async () => {
    const before = active();
    const err = await tune({ config, profile: 'bogus' }).catch((e) => e);
    expect(isDevstackError(err, 'BAD_INPUT')).toBe(true);
    expect(err.message).toBe('Unknown FerretDB backend PostgreSQL profile "bogus".');
    expect(active()).toBe(before);
  });

  onFerret('on FerretDB: applies dev to its backend PostgreSQL with read-back; the postgres service is untouched; data survives', async () => {
    expect(info.name).toBe('FerretDB');
    const servicePid = readPid(layout.pid('postgres'));
    const serviceSync = await postgresService('synchronous_commit');
    const result = await tune({ config, profile: 'dev' });
    expect(result.data).toMatchObject({ state: 'applied' });
    expect(result.checks.map((c) => [c.name, c.passed])).toEqual([
      ['shared_buffers = 256MB', true],
      ['work_mem = 16MB', true],
      ['effective_cache_size = 1GB', true],
      ['synchronous_commit = off', true],
      ['checkpoint_timeout = 15min', true],
      ['max_wal_size = 2GB', true],
      ['checkpoint_completion_target = 0.9', true],
      ['wal_compression = lz4', true],
    ]);
    expect(result.server?.version).toMatch(/^\d+\.\d+\.\d+ \(MongoDB [\d.]+ protocol\), backend PostgreSQL \d+\.\d+/);
    // Independently of the task's own read-back:
    expect(await backend('shared_buffers')).toBe('256MB');
    expect(await backend('synchronous_commit')).toBe('off');
    expect(activeBackendProfile(config)).toBe('dev');
    expect(result.warnings!.some((w) => w.startsWith('synchronous_commit = off: a server or OS crash can lose'))).toBe(true);
    // The stack's `postgres` service is another cluster: same process, same settings.
    expect(readPid(layout.pid('postgres'))).toBe(servicePid);
    expect(await postgresService('synchronous_commit')).toBe(serviceSync);
    expect(await knownDoc()).toBe('survives tune');
  });

  onFerret('a value the backend refuses is rolled back: old settings, server up, data intact, the server\'s words in the notes', async () => {
    const before = active();
    const result = await withTempFile('banana.conf', "# reason: a value PostgreSQL must refuse\nshared_buffers = 'banana'\n", (file) => tune({ config, file }));
    expect(result.data).toMatchObject({ state: 'rolled-back' });
    expect(result.checks[0]).toMatchObject({ name: 'mongodb accepted the profile', passed: false });
    expect(readFileSync(layout.log(MONGO_BACKEND_PID), 'utf8')).toContain('invalid value for parameter "shared_buffers": "banana"');
    expect(result.notes!.join('\n')).toContain('invalid value for parameter "shared_buffers": "banana"');
    expect(active()).toBe(before);
    expect(await backend('shared_buffers')).toBe('256MB');
    expect(await knownDoc()).toBe('survives tune');
  });

  onFerret('tune default restores PostgreSQL\'s stock values on the backend', async () => {
    const result = await tune({ config, profile: 'default' });
    expect(result.data).toMatchObject({ state: 'applied' });
    expect(await backend('shared_buffers')).toBe('128MB');
    expect(await backend('synchronous_commit')).toBe('on');
    expect(activeBackendProfile(config)).toBe('default');
    expect(await knownDoc()).toBe('survives tune');
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
