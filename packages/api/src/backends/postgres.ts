import { endpointsOf, getCredentials, type LoadedConfig } from '@devstack/core';
import { Pool } from 'pg';
import { sqlPoolBackend, type Backend } from '../backend';
import type { ApiOptions } from '../options';

export const PG_TABLE = 'devstack_api_item';

/** PostgreSQL through a pg Pool of `options.pool` connections, as the api AppRole's credentials allow. */
export function postgresBackend(config: LoadedConfig, options: ApiOptions, warn: (m: string) => void): Backend {
  return sqlPoolBackend('postgres', {
    async open() {
      const creds = await getCredentials(config, 'postgres', { role: 'api', onWarning: warn });
      const { host, port } = endpointsOf(config).postgres;
      const p = new Pool({ host, port, user: creds.user, password: creds.password, database: 'postgres', max: options.pool, connectionTimeoutMillis: options.timeoutMs, idleTimeoutMillis: 30000 });
      // An idle client losing its server emits here; without a listener that would crash the process.
      p.on('error', (err) => warn(`postgres: idle connection lost (${err.message})`));
      return p;
    },
    async seed(p) {
      await p.query(`CREATE TABLE IF NOT EXISTS ${PG_TABLE} (id int PRIMARY KEY, name text NOT NULL, score int NOT NULL)`);
      await p.query(`INSERT INTO ${PG_TABLE} SELECT g, 'item-' || g, g % 97 FROM generate_series(1, $1::int) g ON CONFLICT (id) DO NOTHING`, [options.rows]);
    },
    read: async (p, id) => (await p.query(`SELECT id, name, score FROM ${PG_TABLE} WHERE id = $1`, [id])).rows[0] ?? null,
  });
}
