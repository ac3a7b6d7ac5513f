import { SERVICE_REGISTRY } from './registry';

/**
 * Built-in defaults, the lowest layer of configuration. Default ports are in the service registry (DEFAULT_PORTS)
 * (registry.ts), away from the standard ones so a machine's own servers are never touched.
 */

export const REDIS_NODE_COUNT = SERVICE_REGISTRY.redis.portCount;
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
