#!/usr/bin/env node
import { baselineTask, regressTask, runCli, type FlagSpec } from '@devstack/core';
import { capacityTask } from './capacity';
import { chaosTask, FAULTS } from './chaos';
import { epochsTask } from './epochs-task';
import { loadBench, scenarioTask } from './run';
import { SCENARIO_NAMES } from './scenarios';

const RUN_FLAGS: FlagSpec[] = [
  { name: 'scale', type: 'number', description: 'multiply VUs, iterations and durations (e.g. 0.1 for CI)', default: 1 },
  { name: 'engine', type: 'string', description: 'k6 when on PATH (auto), or force one', choices: ['auto', 'k6', 'builtin'], default: 'auto' },
  { name: 'pool', type: 'number', description: 'connections per database pool of the built-in db/cache engine (env DEVSTACK_LOAD_POOL, default 50)' },
  { name: 'url', type: 'string', description: "base URL of the api (default: the stack's api endpoint)" },
  { name: 'paths', type: 'list', description: 'HTTP scenarios: these api paths instead of the mix in scenarios.json (e.g. /health)' },
];
const BENCH_FLAGS: FlagSpec[] = [
  { name: 'scenario', type: 'string', description: 'scenario to measure (capacity: the knees of load:capacity)', choices: [...SCENARIO_NAMES, 'capacity'], default: 'sustained' },
  { name: 'quick', type: 'boolean', description: 'scale 0.1 unless --scale is given' },
  ...RUN_FLAGS.map((f) => (f.name === 'scale' ? { ...f, default: undefined } : f)),
];

const DESCRIPTIONS: Record<(typeof SCENARIO_NAMES)[number], string> = {
  sustained: 'k6/scenarios.json "sustained": 100 VUs for 60 s on the api (constant-vus)',
  spike: 'k6/scenarios.json "spike": 500 VUs for 10 s on the api (constant-vus)',
  ramp: 'k6/scenarios.json "ramp": 10 -> 200 VUs over 120 s on the api (ramping-vus)',
  db: 'k6/scenarios.json "db": 10000 single-row queries, 1000 concurrent (shared-iterations)',
  cache: 'k6/scenarios.json "cache": 100000 Redis GETs, 10000 concurrent, cluster-aware (shared-iterations)',
};

void runCli('load', {
  ...Object.fromEntries(SCENARIO_NAMES.map((name) => [name, { description: DESCRIPTIONS[name], flags: RUN_FLAGS, live: true, run: scenarioTask(name) }])),
  capacity: {
    description: 'open-loop knee per route (k6/capacity.json): arrival-rate steps x1.5 up (or down) until p95 breaks the SLO or errors > 1% twice in a row, then 2 bisection steps (to 11%)',
    flags: [
      { name: 'quick', type: 'boolean', description: 'the mix route only, 1 bisection step (unless --routes / --bisect are given)' },
      { name: 'routes', type: 'list', description: 'only these routes of k6/capacity.json (health, postgres, mysql, mongodb, redis, vault, mix)' },
      { name: 'step-seconds', type: 'number', description: 'seconds of every step (default from k6/capacity.json: minSamples requests within stepSeconds..maxStepSeconds)' },
      { name: 'bisect', type: 'number', description: 'bisection steps at most after the first failing rate (default from k6/capacity.json)' },
      { name: 'url', type: 'string', description: "base URL of the api (default: the stack's api endpoint)" },
      { name: 'runs', type: 'number', description: 'whole searches one after the other (default 1; 1..10): the knee per run, and a check that each is within +-15% of its median' },
    ],
    live: true,
    run: capacityTask,
  },
  chaos: {
    description: 'faults under open-loop load at ~half the mix knee: kill -9 a Redis master, restart MariaDB, SIGSTOP the api 1 s; error windows, time back to SLO, stack restored',
    flags: [
      { name: 'rate', type: 'number', description: 'arrival rate, req/s (default: half the mix knee of the latest load:capacity result)' },
      { name: 'faults', type: 'list', description: `faults to inject, in order (default all: ${FAULTS.join(', ')})` },
      { name: 'lead-seconds', type: 'number', description: 'steady traffic before each fault, s (default 3)' },
    ],
    live: true,
    run: chaosTask,
  },
  epochs: {
    description: 'Redis cluster epochs and failover-election counters of every node (run before and after a test run: a rise is a failover)',
    flags: [{ name: 'label', type: 'string', description: 'what this snapshot marks (tools/test.sh: npm-test:start, npm-test:before-redis, npm-test:end)' }],
    live: true,
    run: epochsTask,
  },
  baseline: { description: 'record baselines/load.json from --trials runs of --scenario', flags: BENCH_FLAGS, live: true, run: baselineTask('load', loadBench) },
  regress: {
    description: 'compare --trials runs of --scenario with baselines/load.json by the shared regress rule',
    flags: [...BENCH_FLAGS, { name: 'strict', type: 'boolean', description: 'a different machine fails instead of warning' }, { name: 'thresholds', type: 'list', description: 'per-metric thresholds name=fraction' }],
    live: true,
    run: regressTask('load', loadBench),
  },
});
