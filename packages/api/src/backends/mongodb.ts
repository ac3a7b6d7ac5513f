import { getCredentials, type LoadedConfig } from '@devstack/core';
import { mongoUrl } from '@devstack/runtime';
import { MongoClient, type Collection } from 'mongodb';
import { Lazy, type Backend } from '../backend';
import type { ApiOptions } from '../options';

interface Item {
  _id: number;
  name: string;
  score: number;
}

/** The MongoDB-protocol server (mongod or FerretDB) through one client with a pool of `options.pool`. */
export function mongodbBackend(config: LoadedConfig, options: ApiOptions, warn: (m: string) => void): Backend {
  const state = new Lazy(async () => {
    const creds = await getCredentials(config, 'mongodb', { role: 'api', onWarning: warn });
    let client = new MongoClient(mongoUrl(config, creds), { maxPoolSize: options.pool, serverSelectionTimeoutMS: options.timeoutMs, connectTimeoutMS: options.timeoutMs });
    try {
      await client.connect();
    } catch (err) {
      // A local mongod started without --auth has no users and refuses any login: no auth there only.
      // (FerretDB here enforces SCRAM: without a login every command is refused, so this cannot hide a refusal.)
      if (!/auth/i.test((err as Error).message)) throw err;
      await client.close().catch(() => undefined);
      warn('mongodb: the server refused the Vault credentials; connecting without authentication (a mongod without --auth has no users)');
      client = new MongoClient(mongoUrl(config), { maxPoolSize: options.pool, serverSelectionTimeoutMS: options.timeoutMs, connectTimeoutMS: options.timeoutMs });
      await client.connect();
    }
    const items: Collection<Item> = client.db('devstack_api').collection<Item>('items');
    try {
      if ((await items.countDocuments({}, { limit: options.rows })) < options.rows) {
        const docs = Array.from({ length: options.rows }, (_, i) => ({ _id: i + 1, name: `item-${i + 1}`, score: (i + 1) % 97 }));
        await items.insertMany(docs, { ordered: false }).catch((err: { code?: number }) => {
          if (err.code !== 11000) throw err; // duplicates from an earlier partial seed are fine
        });
      }
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    return { client, items };
  });
  return {
    name: 'mongodb',
    async read(id) {
      return (await (await state.get()).items.findOne({ _id: id })) ?? null;
    },
    async ping() {
      await (await state.get()).client.db('admin').command({ ping: 1 });
    },
    async close() {
      const s = await state.peek();
      state.reset();
      await s?.client.close();
    },
  };
}
