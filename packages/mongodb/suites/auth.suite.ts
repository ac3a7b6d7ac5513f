import { MongoClient, MongoServerError } from 'mongodb';
import { Client } from 'pg';
import { endpointsOf, getCredentials, loadConfig, type ServiceCredentials } from '@devstack/core';
import { mongoBackendPort, mongoBinary, mongoUrl, MONGO_BACKEND_DATABASE } from '@devstack/runtime';
import { connect } from '../src/server';

// Live suite: FerretDB's authentication (--test-enable-new-auth, SCRAM) against the embedded stack.
// Every refusal is asserted with the server's own code and message; each of them fails when the
// server is down (then the driver reports a server selection error, not these codes).
const config = loadConfig();
const onFerret = mongoBinary()?.server === 'FerretDB' ? describe : describe.skip;
const DB = 'devstack_suite_auth';
let creds: ServiceCredentials;

const client = (user?: { user: string; password: string }, extra = '') => new MongoClient(`${mongoUrl(config, user)}${extra}`, { serverSelectionTimeoutMS: 3000 });

async function refusal(run: (c: MongoClient) => Promise<unknown>, user?: { user: string; password: string }): Promise<MongoServerError> {
  const c = client(user);
  try {
    await run(c);
  } catch (err) {
    return err as MongoServerError;
  } finally {
    await c.close();
  }
  throw new Error('the server accepted what it must refuse');
}

beforeAll(async () => {
  creds = await getCredentials(config, 'mongodb');
});

onFerret('mongodb auth (FerretDB SCRAM authentication)', () => {
  it('an unauthenticated find is refused: code 13 Unauthorized, "Command find requires authentication"', async () => {
    const err = await refusal((c) => c.db(DB).collection('items').find({}).toArray());
    expect(err).toBeInstanceOf(MongoServerError);
    expect({ code: err.code, codeName: err.codeName, message: err.message }).toEqual({ code: 13, codeName: 'Unauthorized', message: 'Command find requires authentication' });
  });

  it('an unauthenticated insert and listDatabases are refused the same way', async () => {
    const insert = await refusal((c) => c.db(DB).collection('items').insertOne({ _id: 1 } as never));
    expect({ code: insert.code, message: insert.message }).toEqual({ code: 13, message: 'Command insert requires authentication' });
    const list = await refusal((c) => c.db('admin').admin().listDatabases());
    expect({ code: list.code, message: list.message }).toEqual({ code: 13, message: 'Command listDatabases requires authentication' });
  });

  it('a wrong password is refused at login: code 18 AuthenticationFailed, "Authentication failed."', async () => {
    const err = await refusal((c) => c.connect(), { user: creds.user, password: `${creds.password}-wrong` });
    expect(err).toBeInstanceOf(MongoServerError);
    expect({ code: err.code, codeName: err.codeName, message: err.message }).toEqual({ code: 18, codeName: 'AuthenticationFailed', message: 'Authentication failed.' });
  });

  it('an unknown user is refused with the same answer (no hint that the user does not exist)', async () => {
    const err = await refusal((c) => c.connect(), { user: 'nobody', password: creds.password });
    expect({ code: err.code, message: err.message }).toEqual({ code: 18, message: 'Authentication failed.' });
  });

  it('the Vault credentials log in with SCRAM-SHA-256, and the session is authenticated as that user', async () => {
    const c = client(creds, '&authMechanism=SCRAM-SHA-256');
    try {
      await c.connect();
      const status = await c.db('admin').command({ connectionStatus: 1 });
      expect(status.authInfo.authenticatedUsers).toEqual([{ user: creds.user, db: 'admin' }]);
      await c.db(DB).collection('items').insertOne({ _id: 1, v: 42 } as never);
      expect((await c.db(DB).collection('items').findOne({ _id: 1 } as never))?.v).toBe(42);
      await c.db(DB).dropDatabase();
    } finally {
      await c.close();
    }
  });

  it('the package\'s own connection (credentials from Vault via AppRole) is authenticated', async () => {
    const c = await connect(config);
    try {
      const status = await c.db('admin').command({ connectionStatus: 1 });
      expect(status.authInfo.authenticatedUsers).toEqual([{ user: creds.user, db: 'admin' }]);
    } finally {
      await c.close();
    }
  });

  it('the backend PostgreSQL refuses a wrong password too (28P01), so FerretDB\'s auth cannot be bypassed there', async () => {
    const pg = new Client({ host: endpointsOf(config).mongodb.host, port: mongoBackendPort(config), user: creds.user, password: `${creds.password}-wrong`, database: MONGO_BACKEND_DATABASE });
    const err = await pg.connect().then(
      () => undefined,
      (e: { code?: string; message: string }) => e,
    );
    await pg.end().catch(() => undefined);
    expect(err).toMatchObject({ code: '28P01', message: `password authentication failed for user "${creds.user}"` });
  });
});
