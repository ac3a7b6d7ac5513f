#!/usr/bin/env node
import { runCli } from '@devstack/core';
import { failover } from './failover';

void runCli('redis', {
  failover: {
    description: 'Redis Cluster failover suite: 11 scenarios (kill, shutdown, pause, manual failover, double failure, client behaviour) with timings and write-loss accounting',
    live: true,
    flags: [
      { name: 'quick', type: 'boolean', description: 'one repetition of scenario 2 instead of 5 (every scenario still runs)' },
      { name: 'repeat', type: 'number', description: 'repetitions of scenario 2 (kill -9 a master); default 5, 1 with --quick' },
      { name: 'budget-ms', type: 'number', description: 'failover budget, kill to cluster_state:ok', default: 5000 },
      { name: 'node-timeout-ms', type: 'number', description: 'cluster-node-timeout for the run (config redis.nodeTimeoutMs, default 2000)' },
      { name: 'poll-ms', type: 'number', description: 'polling interval during a failover (<= 50)', default: 50 },
      { name: 'data-keys', type: 'number', description: 'WAIT-acked keys written to the victim before each fault', default: 50 },
      { name: 'playbook', type: 'boolean', description: 'regenerate docs/FAILOVER_PLAYBOOK.md from this run (--no-playbook to skip)', default: true },
    ],
    run: failover,
  },
});
