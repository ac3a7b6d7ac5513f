import { isDevstackError, loadConfig } from '@devstack/core';
import { findBinary, mongoUrl } from '@devstack/runtime';
import { goPointReads, goProbeBinary } from '../src/go-probe';
import { connect, mongoCredentials } from '../src/server';
import { recordId } from '../src/ycsb';

// Live suite: the Go-driver point-read probe (tools/mongo-pointread, built by tools/setup.sh) against
// the running server: it reads the records it asks for, counts a record that is not there as a miss,
// and fails on a refused login with the server's answer and without the password.
const config = loadConfig();
const DB = 'devstack_go_probe';
const LOADED = 50;
const binary = goProbeBinary(config.root);
// tools/setup.sh builds the probe wherever Go is installed (FerretDB's build needs Go too).
const goInstalled = findBinary('go') !== undefined;
const live = binary ? it : it.skip;

describe('mongodb Go point-read probe (real server)', () => {
  let uri: string;
  let password: string;

  beforeAll(async () => {
    const creds = await mongoCredentials(config);
    password = creds.password;
    uri = mongoUrl(config, creds);
    const client = await connect(config);
    try {
      await client.db(DB).dropDatabase();
      await client.db(DB).collection('pointreads').insertMany(Array.from({ length: LOADED }, (_, k) => ({ _id: recordId(k) as never, n: k })));
    } finally {
      await client.close();
    }
  });

  afterAll(async () => {
    const client = await connect(config);
    await client.db(DB).dropDatabase().finally(() => client.close());
  });

  it('is built by setup wherever Go is installed', () => {
    expect({ goInstalled, built: binary !== undefined }).toEqual({ goInstalled, built: goInstalled });
  });

  live('reads the records it asks for: every read a hit, one latency per read', async () => {
    const { outcome } = await goPointReads(binary!, { uri, database: DB, collection: 'pointreads', docs: LOADED, concurrency: 4, seconds: 0.5, seed: 1 }, undefined);
    expect(outcome.latency.count).toBeGreaterThan(10);
    expect(outcome.misses).toBe(0);
    expect(outcome.latency.errors).toBe(0);
    expect(outcome.opsPerSec).toBeGreaterThan(10);
  });

  live('counts keys beyond the loaded records as misses, not reads', async () => {
    // Keys 0..199 over 50 records: about three reads in four miss.
    const { outcome } = await goPointReads(binary!, { uri, database: DB, collection: 'pointreads', docs: 4 * LOADED, concurrency: 2, seconds: 0.5, seed: 2 }, undefined);
    expect(outcome.misses).toBeGreaterThan(outcome.latency.count);
    expect(outcome.latency.count).toBeGreaterThan(0);
    expect(outcome.latency.errors).toBe(0);
  });

  live('meters the server groups over the timed window and adds its own CPU as the client', async () => {
    const { cpu } = await goPointReads(binary!, { uri, database: DB, collection: 'pointreads', docs: LOADED, concurrency: 2, seconds: 0.5, seed: 3 }, { self: [process.pid] });
    expect(Object.keys(cpu!.cpuSeconds).sort()).toEqual(['client', 'self']);
    expect(cpu!.cpuSeconds.client).toBeGreaterThan(0);
    expect(cpu!.wallSeconds).toBeGreaterThanOrEqual(0.5);
  });

  live('a wrong password: SERVICE_DOWN with the server refusal, the password not in the message', async () => {
    const wrong = `${password}-wrong`;
    const bad = mongoUrl(config, { user: (await mongoCredentials(config)).user, password: wrong });
    const err = await goPointReads(binary!, { uri: bad, database: DB, collection: 'pointreads', docs: LOADED, concurrency: 1, seconds: 0.2, seed: 4 }, undefined).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDevstackError(err) && err.code).toBe('SERVICE_DOWN');
    expect((err as Error).message).toContain('(AuthenticationFailed) Authentication failed');
    expect((err as Error).message).not.toContain(wrong);
    expect((err as Error).message).not.toContain(password);
  });

  live('a bad request: refused before connecting, naming the field', async () => {
    const err = await goPointReads(binary!, { uri, database: DB, collection: 'pointreads', docs: LOADED, concurrency: 0, seconds: 1, seed: 5 }, undefined).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDevstackError(err) && err.code).toBe('ENVIRONMENT');
    expect((err as Error).message).toBe('mongo-pointread failed: mongo-pointread: bad request: "concurrency" must be 1..1024');
  });
});
