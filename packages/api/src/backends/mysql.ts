import { endpointsOf, getCredentials, type LoadedConfig } from '@devstack/core';
import { createPool, type Pool, type RowDataPacket } from 'mysql2/promise';
import { sqlPoolBackend, type Backend } from '../backend';
import type { ApiOptions } from '../options';

export const MYSQL_TABLE = 'devstack_api.item';

/** MariaDB/MySQL through a mysql2 pool of `options.pool` connections. */
export function mysqlBackend(config: LoadedConfig, options: ApiOptions, warn: (m: string) => void): Backend {
  return sqlPoolBackend<Pool>('mysql', {
    async open() {
      const creds = await getCredentials(config, 'mysql', { role: 'api', onWarning: warn });
      const { host, port } = endpointsOf(config).mysql;
      return createPool({ host, port, user: creds.user, password: creds.password, connectionLimit: options.pool, connectTimeout: options.timeoutMs, waitForConnections: true });
    },
    async seed(p) {
      await p.query('CREATE DATABASE IF NOT EXISTS devstack_api');
      await p.query(`CREATE TABLE IF NOT EXISTS ${MYSQL_TABLE} (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, score INT NOT NULL)`);
      // A recursive CTE works on MariaDB 10.2+ and MySQL 8 alike (no sequence engine needed).
      await p.query(
        `INSERT IGNORE INTO ${MYSQL_TABLE} (id, name, score)
         WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?)
         SELECT n, CONCAT('item-', n), n % 97 FROM s`,
        [options.rows],
      );
    },
    read: async (p, id) => (await p.query<RowDataPacket[]>(`SELECT id, name, score FROM ${MYSQL_TABLE} WHERE id = ?`, [id]))[0][0] ?? null,
  });
}
