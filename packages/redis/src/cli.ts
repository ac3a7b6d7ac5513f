#!/usr/bin/env node
import { backendCommands, REDIS_NODE_TIMEOUT_MS, runCli, type FlagSpec } from '@devstack/core';
import { bench } from './bench';
import { baseline, regress } from './regress';
import { tune } from './tune';
import { failover } from './failover';

const benchFlags: FlagSpec[] = [
  { name: 'quick', type: 'boolean', description: 'short run (10k requests per redis-benchmark test per node, 100k cluster-wide (1M with -P 16), 4k client ops)' },
  { name: 'requests', type: 'number', description: 'redis-benchmark requests per test (-n)' },
  { name: 'clients', type: 'number', description: 'redis-benchmark parallel connections (-c)' },
  { name: 'operations', type: 'number', description: 'ioredis bench operations per trial' },
  { name: 'client-seconds', type: 'number', description: 'ioredis bench: seconds per client after a short warm-up, instead of --operations (regress and calibration use 1.5)' },
  { name: 'concurrency', type: 'number', description: 'ioredis bench requests in flight' },
  { name: 'value-size', type: 'number', description: 'value size in bytes' },
  { name: 'only', type: 'string', description: 'run one half only', choices: ['tool', 'client'] },
  { name: 'keep', type: 'boolean', description: 'keep the bench keys' },
];

void runCli('redis', {
  ...backendCommands({
    backend: 'redis',
    bench,
    tune,
    baseline,
    regress,
    benchDescription: 'redis-benchmark per master and cluster-wide (SET/GET, -P 1 and 16), ioredis Cluster vs one node, MOVED redirect cost',
    benchFlags,
    thresholdsExample: 'client_cluster_ops',
    regressNote: 'rolling restarts, 95% interval per metric',
    tuneDescription: 'apply configs/redis/<profile>.conf to all six nodes by a rolling restart, read back CONFIG GET, roll back on failure; --compare benchmarks before vs after',
    tuneHints: {
      profile: 'default | dev | durable | any configs/redis/<name>.conf (default: config profile)',
      defaultProfile: false,
      file: 'apply this redis.conf fragment instead of a named profile',
      compare: 'interleaved before/after quick bench (each arm a rolling restart)',
    },
    tuneExtraFlags: [{ name: 'set', type: 'list', description: 'override settings, name=value[,name=value]' }],
    tuneBenchFlags: [
      ...benchFlags.filter((f) => f.name !== 'keep' && f.name !== 'quick'),
      { name: 'quick', type: 'boolean', description: 'quick bench per --compare trial (the default; --no-quick for the full bench)' },
    ],
  }),
  failover: {
    description: 'Redis Cluster failover suite: 11 scenarios (kill, shutdown, pause, manual failover, double failure, client behaviour) with timings and write-loss accounting',
    live: true,
    flags: [
      { name: 'quick', type: 'boolean', description: 'one repetition of scenario 2 instead of 5 (every scenario still runs)' },
      { name: 'repeat', type: 'number', description: 'repetitions of scenario 2 (kill -9 a master); default 5, 1 with --quick' },
      { name: 'budget-ms', type: 'number', description: 'failover budget, kill to cluster_state:ok', default: 5000 },
      { name: 'node-timeout-ms', type: 'number', description: `cluster-node-timeout for the run (config redis.nodeTimeoutMs, default ${REDIS_NODE_TIMEOUT_MS})` },
      { name: 'poll-ms', type: 'number', description: 'polling interval during a failover (<= 50)', default: 50 },
      { name: 'data-keys', type: 'number', description: 'WAIT-acked keys written to the victim before each fault', default: 50 },
      { name: 'playbook', type: 'boolean', description: 'regenerate .devstack/report/FAILOVER_PLAYBOOK.md from this run (docs/: nx run report:docs) (--no-playbook to skip)', default: true },
    ],
    run: failover,
  },
});
