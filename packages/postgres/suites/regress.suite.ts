import { loadConfig } from '@devstack/core';
import { describeAbRegress } from '@devstack/runtime/testing';
import { pgSession, withClient } from '../src/connection';
import { regress } from '../src/regress';
import { tune } from '../src/tune';

// Live suite: a real A/B between two config versions on the embedded PostgreSQL. The versions live in a
// throwaway git repository (nothing is committed to the project); the server, pgbench and driver are real.
const config = loadConfig();

describeAbRegress({
  backend: 'postgres',
  config,
  regress,
  tune,
  ext: 'conf',
  header: '# PostgreSQL profile "abtest": the A/B regress suite\'s profile.\n',
  setting: { name: 'synchronous_commit', before: 'off', after: 'on' },
  change: 'turning synchronous_commit off -> on',
  metric: 'tpcb_like_tps',
  small: { quick: true, workloads: ['tpcb-like'], duration: 1, probeDuration: 1, clients: 2, threads: 1, trials: 5, maxTrials: 10 },
  read: async (name) => withClient(await pgSession(config), async (c) => (await c.query(`SHOW ${name}`)).rows[0][name] as string),
});
