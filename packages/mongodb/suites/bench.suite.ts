import { BENCH_DATABASE, isDevstackError, loadConfig } from '@devstack/core';
import { bench } from '../src/bench';
import { goProbeBinary } from '../src/go-probe';
import { connect, serverInfo } from '../src/server';

// Live suite: a short real YCSB run against the embedded MongoDB-protocol server (FerretDB here).
const config = loadConfig();

describe('mongodb bench (short, real)', () => {
  it('runs A, B, C and both inserts, records the server, and drops its database', async () => {
    const result = await bench({ config, trials: 1, records: 200, operations: 150, concurrency: 4, docSize: 200, batchSize: 50, singleInserts: 60, pointReadDocs: 200, pointReadSeconds: 1 });
    const client = await connect(config);
    try {
      const info = await serverInfo(client);
      expect(result.server).toEqual({ name: info.name, version: info.version });
      if (info.name === 'FerretDB') {
        expect(result.server?.version).toMatch(/^\d+\.\d+\.\d+ \(MongoDB \d+\.\d+\.\d+ protocol\)$/);
        // The storage the running FerretDB was started with (the stack was started under this config).
        expect((result.data as { storage?: string }).storage).toBe(config.mongodb.backend);
      }
      const dbs = await client.db('admin').admin().listDatabases();
      expect(dbs.databases.map((d) => d.name)).not.toContain(BENCH_DATABASE);
    } finally {
      await client.close();
    }
    const m = (name: string) => result.metrics.find((x) => x.name === name);
    for (const name of ['insert_batched_docs_per_s', 'insert_single_docs_per_s', 'ycsb_a_ops_per_s', 'ycsb_b_ops_per_s', 'ycsb_c_ops_per_s']) {
      expect(m(name)?.value).toBeGreaterThan(1);
      expect(m(name)?.value).toBeLessThan(1_000_000);
    }
    // Batching amortises the round trip: it must beat one insert per request.
    expect(m('insert_batched_docs_per_s')!.value).toBeGreaterThan(m('insert_single_docs_per_s')!.value);
    expect(m('point_read_p95_ms')?.slo).toBe(50);
    // The point-read probe: findOne by _id, 8 in flight, over its own 200 documents for 1 s.
    expect(m('point_read_ops')).toMatchObject({ unit: 'ops/s', better: 'higher', labels: { documents: 200, concurrency: 8, durationS: 1 } });
    expect(m('point_read_ops')!.value).toBeGreaterThan(1);
    expect(m('point_read_probe_p50_ms')!.value).toBeGreaterThan(0);
    expect(m('point_read_probe_p50_ms')!.value).toBeLessThanOrEqual(m('point_read_probe_p95_ms')!.value);
    // The same probe through the Go driver (tools/mongo-pointread), built by setup wherever Go is.
    if (goProbeBinary(config.root)) {
      expect(m('point_read_go_ops')).toMatchObject({ unit: 'ops/s', better: 'higher', labels: { documents: 200, concurrency: 8, durationS: 1, client: 'go-driver' } });
      expect(m('point_read_go_ops')!.value).toBeGreaterThan(1);
      expect(m('point_read_go_p50_ms')!.value).toBeLessThanOrEqual(m('point_read_go_p95_ms')!.value);
      if (config.provider === 'local') {
        const goCpu = result.tables?.find((t) => t.title.startsWith('CPU per point read (Go driver)'));
        expect(goCpu?.rows.map((r) => r[0])).toEqual(expect.arrayContaining(['bench client (Go driver, mongo-pointread)', 'total']));
      }
    }
    expect(m('point_read_p95_ms')!.p50!).toBeGreaterThan(0);
    expect(m('ycsb_a_update_p95_ms')!.p50!).toBeGreaterThan(0);
    expect(m('ycsb_c_update_p95_ms')).toBeUndefined();
    expect(result.checks.find((c) => c.name === 'every point read found its record')).toMatchObject({ passed: true, observed: '0 misses' });
    expect(result.checks.find((c) => c.name === 'no failed operations')?.passed).toBe(true);
  });

  it('--only ycsb runs the load and the workloads only (the regress calibration trial)', async () => {
    const result = await bench({ config, trials: 1, records: 200, operations: 150, concurrency: 4, docSize: 200, batchSize: 50, workloads: ['C', 'A'], only: 'ycsb' });
    expect(result.metrics.map((x) => x.name).sort()).toEqual(
      ['insert_batched_docs_per_s', 'point_read_p95_ms', 'ycsb_a_ops_per_s', 'ycsb_a_read_p95_ms', 'ycsb_a_update_p95_ms', 'ycsb_c_ops_per_s', 'ycsb_c_read_p95_ms'].sort(),
    );
    expect(result.notes).toContain('--only ycsb: the load and the YCSB workloads; no single inserts, no point-read probe');
    expect(result.checks.find((c) => c.name === 'every point read found its record')).toMatchObject({ passed: true, observed: '0 misses' });
  });

  it('refuses an unknown --only with BAD_INPUT naming the choice', async () => {
    const err = await bench({ config, only: 'probe' as 'ycsb' }).catch((e) => e);
    expect(isDevstackError(err, 'BAD_INPUT')).toBe(true);
    expect(err.message).toBe('Unknown --only "probe".');
  });

  it('refuses a bad option with BAD_INPUT before touching the server', async () => {
    const err = await bench({ config, records: 0 }).catch((e) => e);
    expect(isDevstackError(err, 'BAD_INPUT')).toBe(true);
    expect(err.message).toBe('--records must be a positive integer; got 0.');
  });

  it('fails with SERVICE_DOWN when nothing answers', async () => {
    const down = loadConfig({ flags: { ports: { mongodb: 47777 } } });
    const err = await bench({ config: down, trials: 1, quick: true }).catch((e) => e);
    expect(isDevstackError(err, 'SERVICE_DOWN')).toBe(true);
    expect(err.message).toMatch(/MongoDB server unreachable/);
  });
});
