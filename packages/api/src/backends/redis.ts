import { endpointsOf, getCredentials, type LoadedConfig } from '@devstack/core';
import { Cluster } from 'ioredis';
import { Lazy, type Backend } from '../backend';
import type { ApiOptions } from '../options';

export const redisKey = (id: number) => `devstack:api:item:${id}`;
const itemRow = (id: number) => ({ id, name: `item-${id}`, score: id % 97 });

/** The Redis Cluster through ioredis Cluster: slot-aware, so reads go to the right master (no MOVED). */
export function redisBackend(config: LoadedConfig, options: ApiOptions, warn: (m: string) => void): Backend {
  const cluster = new Lazy(async () => {
    const creds = await getCredentials(config, 'redis', { role: 'api', onWarning: warn });
    const c = new Cluster(endpointsOf(config).redis.nodes, {
      redisOptions: { password: creds.password, connectTimeout: options.timeoutMs, maxRetriesPerRequest: 1 },
      // Commands while the cluster is unreachable fail fast instead of queueing without bound.
      enableOfflineQueue: false,
      clusterRetryStrategy: (times) => (times > 3 ? null : 200 * times),
      slotsRefreshTimeout: options.timeoutMs,
    });
    c.on('error', (err: Error) => warn(`redis: ${err.message}`));
    try {
      await new Promise<void>((resolve, reject) => {
        c.once('ready', resolve);
        c.once('end', () => reject(new Error('cluster connection ended before ready')));
      });
      // Keys spread over all slots; SET NX keeps existing values. Batches keep the pipeline bounded.
      for (let i = 1; i <= options.rows; i += 200) {
        const batch = Array.from({ length: Math.min(200, options.rows - i + 1) }, (_, k) => i + k);
        await Promise.all(batch.map((id) => c.set(redisKey(id), JSON.stringify(itemRow(id)), 'NX')));
      }
      // Once ioredis gives up reconnecting the client is dead for good: build a new one next time.
      c.once('end', () => {
        warn('redis: the cluster client gave up reconnecting; a new one is built (and the keys re-seeded) on the next request');
        cluster.reset();
      });
    } catch (err) {
      c.disconnect();
      throw err;
    }
    return c;
  });
  return {
    name: 'redis',
    async read(id) {
      const c = await cluster.get();
      const raw = await c.get(redisKey(id));
      if (raw !== null) return JSON.parse(raw);
      if (id < 1 || id > options.rows) return null;
      // A cache, read-through: the seeded value was evicted or lost (a failover of a shard without a
      // surviving replica, a flush): put the canonical row back and serve it.
      const row = itemRow(id);
      await c.set(redisKey(id), JSON.stringify(row), 'NX');
      return row;
    },
    async ping() {
      const c = await cluster.get();
      if (c.status !== 'ready') throw new Error(`cluster client is ${c.status}`);
      await c.get(redisKey(1));
    },
    async close() {
      const c = await cluster.peek();
      cluster.reset();
      c?.disconnect();
    },
  };
}
