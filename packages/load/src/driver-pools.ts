import { endpointsOf, getCredentials, type LoadedConfig } from '@devstack/core';
import { mongoUrl } from '@devstack/runtime';
import { Cluster } from 'ioredis';
import { MongoClient } from 'mongodb';
import { createPool } from 'mysql2/promise';
import { Pool } from 'pg';

/** One single-row read against one server; resolves false when the row is missing. */
export type ReadOp = (id: number) => Promise<boolean>;

export interface DriverTarget {
  name: string;
  read: ReadOp;
  close(): Promise<void>;
}

/** Rows seeded per target; reads pick a random id in 1..ROWS. Separate tables/keys from the api's. */
export const ROWS = 1000;
const PG_TABLE = 'devstack_load_item';
const MY_TABLE = 'devstack_load.item';
const redisKey = (id: number) => `devstack:load:item:${id}`;

export async function postgresTarget(config: LoadedConfig, pool: number, warn: (m: string) => void): Promise<DriverTarget> {
  const creds = await getCredentials(config, 'postgres', { onWarning: warn });
  const { host, port } = endpointsOf(config).postgres;
  const p = new Pool({ host, port, user: creds.user, password: creds.password, database: 'postgres', max: pool, connectionTimeoutMillis: 10000 });
  p.on('error', (err) => warn(`postgres: ${err.message}`));
  await p.query(`CREATE TABLE IF NOT EXISTS ${PG_TABLE} (id int PRIMARY KEY, name text NOT NULL, score int NOT NULL)`);
  await p.query(`INSERT INTO ${PG_TABLE} SELECT g, 'item-' || g, g % 97 FROM generate_series(1, ${ROWS}) g ON CONFLICT (id) DO NOTHING`);
  return {
    name: 'postgres',
    read: async (id) => (await p.query(`SELECT id, name, score FROM ${PG_TABLE} WHERE id = $1`, [id])).rowCount === 1,
    close: () => p.end(),
  };
}

export async function mysqlTarget(config: LoadedConfig, pool: number, warn: (m: string) => void): Promise<DriverTarget> {
  const creds = await getCredentials(config, 'mysql', { onWarning: warn });
  const { host, port } = endpointsOf(config).mysql;
  const p = createPool({ host, port, user: creds.user, password: creds.password, connectionLimit: pool, connectTimeout: 10000 });
  await p.query('CREATE DATABASE IF NOT EXISTS devstack_load');
  await p.query(`CREATE TABLE IF NOT EXISTS ${MY_TABLE} (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, score INT NOT NULL)`);
  await p.query(`INSERT IGNORE INTO ${MY_TABLE} (id, name, score) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${ROWS}) SELECT n, CONCAT('item-', n), n % 97 FROM s`);
  return {
    name: 'mysql',
    read: async (id) => ((await p.query(`SELECT id, name, score FROM ${MY_TABLE} WHERE id = ?`, [id]))[0] as unknown[]).length === 1,
    close: () => p.end(),
  };
}

export async function mongodbTarget(config: LoadedConfig, pool: number, warn: (m: string) => void): Promise<DriverTarget> {
  const creds = await getCredentials(config, 'mongodb', { onWarning: warn });
  const opts = { maxPoolSize: pool, serverSelectionTimeoutMS: 5000 };
  let client = new MongoClient(mongoUrl(config, creds), opts);
  try {
    await client.connect();
  } catch (err) {
    // A local mongod without --auth has no users and refuses SCRAM; FerretDB here enforces it (no login, no command).
    if (!/auth/i.test((err as Error).message)) throw err;
    await client.close().catch(() => undefined);
    client = new MongoClient(mongoUrl(config), opts);
    await client.connect();
  }
  const items = client.db('devstack_load').collection<{ _id: number; name: string; score: number }>('items');
  if ((await items.countDocuments({}, { limit: ROWS })) < ROWS) {
    const docs = Array.from({ length: ROWS }, (_, i) => ({ _id: i + 1, name: `item-${i + 1}`, score: (i + 1) % 97 }));
    await items.insertMany(docs, { ordered: false }).catch((err: { code?: number }) => {
      if (err.code !== 11000) throw err;
    });
  }
  return { name: 'mongodb', read: async (id) => (await items.findOne({ _id: id })) !== null, close: () => client.close() };
}

/** ioredis Cluster: slot-aware routing (no MOVED), auto-pipelining batches the many in-flight GETs per node. */
export async function redisTarget(config: LoadedConfig, _pool: number, warn: (m: string) => void): Promise<DriverTarget> {
  const creds = await getCredentials(config, 'redis', { onWarning: warn });
  const c = new Cluster(endpointsOf(config).redis.nodes, { redisOptions: { password: creds.password }, enableAutoPipelining: true, clusterRetryStrategy: (n) => (n > 3 ? null : 200) });
  c.on('error', (err: Error) => warn(`redis: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    c.once('ready', resolve);
    c.once('end', () => reject(new Error('Redis cluster connection ended before it was ready')));
  });
  for (let i = 1; i <= ROWS; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, ROWS - i + 1) }, (_, k) => c.set(redisKey(i + k), `item-${i + k}`, 'NX')));
  }
  return { name: 'redis', read: async (id) => (await c.get(redisKey(id))) !== null, close: async () => void c.disconnect() };
}

export const TARGETS: Record<string, typeof postgresTarget> = { postgres: postgresTarget, mysql: mysqlTarget, mongodb: mongodbTarget, redis: redisTarget };
