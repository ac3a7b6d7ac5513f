#!/usr/bin/env node
import { backendCommands, runCli, type FlagSpec } from '@devstack/core';
import { bench } from './bench';
import { baseline, regress } from './regress';
import { tune } from './tune';

const benchFlags: FlagSpec[] = [
  { name: 'quick', type: 'boolean', description: 'short run (1000 records, 500 ops per workload, concurrency 4)' },
  { name: 'records', type: 'number', description: 'records loaded before the workloads' },
  { name: 'operations', type: 'number', description: 'operations per workload' },
  { name: 'concurrency', type: 'number', description: 'requests in flight' },
  { name: 'doc-size', type: 'number', description: 'bytes per document (ten fields)' },
  { name: 'batch-size', type: 'number', description: 'documents per insertMany' },
  { name: 'single-inserts', type: 'number', description: 'documents inserted one by one (insertOne)' },
  { name: 'point-read-docs', type: 'number', description: 'point-read probe: documents in its collection (default 1000)' },
  { name: 'point-read-concurrency', type: 'number', description: 'point-read probe: findOne calls in flight (default 8)' },
  { name: 'point-read-seconds', type: 'number', description: 'point-read probe: seconds per trial (quick 3, full 10)' },
  { name: 'point-read-client', type: 'string', description: 'point-read probe client: both (default), node (Node driver), go (Go driver, tools/mongo-pointread)', choices: ['both', 'node', 'go'] },
  { name: 'distribution', type: 'string', description: 'key choice', choices: ['zipfian', 'uniform'] },
  { name: 'workloads', type: 'list', description: 'YCSB workloads to run (A,B,C)' },
  { name: 'only', type: 'string', description: 'ycsb: the load and the YCSB workloads only (no single inserts, no point-read probe)', choices: ['ycsb'] },
  { name: 'keep', type: 'boolean', description: 'keep the devstack_bench database' },
];

void runCli(
  'mongodb',
  backendCommands({
    backend: 'mongodb',
    bench,
    tune,
    baseline,
    regress,
    benchDescription: 'YCSB A/B/C, batched and single inserts, point-read latency (HDR) through the official driver; FerretDB or mongod',
    benchFlags,
    thresholdsExample: 'ycsb_a_ops_per_s',
    regressNote: 'on FerretDB: "identical", mongod.conf does not apply',
    tuneDescription:
      'FerretDB: apply a backend PostgreSQL profile from configs/mongodb/ (backup, restart, read-back, automatic rollback); --compare benches YCSB A/B/C and inserts before vs after. mongod: configs/mongodb/mongod/ profiles',
    tuneHints: { profile: 'default | dev | auto (computed from memory) | any configs/mongodb/<name>.conf', file: "apply this postgresql.conf fragment to FerretDB's backend instead of a named profile" },
  }),
);
