#!/usr/bin/env node
import { APPROLE_SERVICES, runCli, type FlagSpec } from '@devstack/core';
import { bench } from './bench';
import { bootstrap } from './bootstrap';
import { baseline, regress } from './regress';
import { rotate } from './rotate';
import { securityTest } from './security-suite';

const benchFlags: FlagSpec[] = [
  { name: 'quick', type: 'boolean', description: 'seconds-long run (200 ops per operation per trial)' },
  { name: 'ops', type: 'number', description: 'operations per measurement per trial (default 500; quick 200)' },
];
const regressFlags: FlagSpec[] = [
  ...benchFlags,
  { name: 'strict', type: 'boolean', description: 'a baseline from another machine fails instead of warning' },
  { name: 'thresholds', type: 'list', description: 'per-metric thresholds, name=fraction pairs (e.g. kv_read_p95_ms=0.3)' },
];
const services: FlagSpec = { name: 'services', type: 'list', description: `only these services (default: ${APPROLE_SERVICES.join(',')})` };

void runCli('vault', {
  bootstrap: {
    description: 'one policy and one AppRole per service (token_ttl 1h, token_max_ttl 24h, secret_id_ttl 30d), credentials under .devstack/approles/<service>/; idempotent',
    flags: [{ name: 'secret-id-num-uses', type: 'number', description: 'secret_id_num_uses of every role (default: config vault.secretIdNumUses / DEVSTACK_VAULT_SECRET_ID_NUM_USES, 0 = unlimited)' }, services],
    live: true,
    run: bootstrap,
  },
  rotate: {
    description: "new secret_id for one service: verify it logs in, destroy the old one, verify the old one is refused",
    flags: [{ name: 'service', type: 'string', description: 'the service whose secret_id to rotate', choices: APPROLE_SERVICES }],
    live: true,
    run: rotate,
  },
  test: {
    description: 'the AppRole security suite for every service; server gaps are reported as failing security findings (exit 1)',
    flags: [services],
    live: true,
    run: securityTest,
  },
  bench: { description: `AppRole login, KV read and token lookup latency (HDR histograms), SLO p95 < 20 ms`, flags: benchFlags, live: true, run: bench },
  baseline: { description: 'run the bench and record baselines/vault.json (refuses on a busy machine unless --force)', flags: [...benchFlags, { name: 'force', type: 'boolean', description: 'record even when the load average is above half the cores' }], live: true, run: baseline },
  regress: { description: 'run the bench and compare with baselines/vault.json (shared regress rule)', flags: regressFlags, live: true, run: regress },
});
