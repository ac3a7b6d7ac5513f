/**
 * Built-in defaults, the lowest layer of configuration. Ports sit away from the standard ones
 * (5432, 3306, 27017, 6379, 8200) so a machine's own servers are never touched.
 */
export const DEFAULT_PORTS = {
  vault: 18200,
  postgres: 15432,
  mysql: 13306,
  mongodb: 17017,
  /** Six Redis nodes: base .. base+5. The cluster bus adds 10000, so the base must stay <= 55530. */
  redis: 17000,
  api: 18080,
} as const;

/**
 * The mongodb port layout: port (MongoDB wire protocol), +1 FerretDB's metrics/health HTTP, +2 its
 * dual-mode TLS listener, +3 FerretDB's own backend PostgreSQL cluster.
 */
export const MONGO_BACKEND_PORT_SHIFT = 3;

export const REDIS_NODE_COUNT = 6;
export const REDIS_REPLICAS_PER_MASTER = 1;
/** Default cluster-node-timeout: low enough that failover fits the 5 s budget with margin. */
export const REDIS_NODE_TIMEOUT_MS = 2000;

export const DEFAULT_TRIALS = 3;
export const DEFAULT_THRESHOLD = 0.2;

/** Absolute SLOs from the performance targets (p95, milliseconds). */
export const SLO_P95_MS = {
  api: 100,
  dbSingleRow: 50,
  redisOp: 5,
  vaultOp: 20,
} as const;

export const STATE_DIR = '.devstack';
export const BENCH_DATABASE = 'devstack_bench';
