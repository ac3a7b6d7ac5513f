import { BENCH_SIZES_EXAMPLE, fakeSpec } from './fixtures/db-bench-spec';
import { dbBenchPlan, dbBenchTask } from '../src/db-bench';
import { DevstackError } from '../src/errors';
import { loadConfig } from '../src/config';
import { SLO_P95_MS } from '../src/defaults';

const config = loadConfig({ root: '/nonexistent-devstack-root', env: {} });

describe('dbBenchPlan', () => {
  it('takes every workload the tool knows when none is asked for, with the quick sizes under --quick', () => {
    const plan = dbBenchPlan(BENCH_SIZES_EXAMPLE, { quick: true }, ['read', 'write'] as const, 'tool');
    expect(plan.workloads).toEqual(['read', 'write']);
    expect(plan.threads).toBe(BENCH_SIZES_EXAMPLE.quick.threads);
    expect(plan.duration).toBe(BENCH_SIZES_EXAMPLE.quick.duration);
  });

  it('uses the full sizes without --quick and keeps the workloads asked for', () => {
    const plan = dbBenchPlan(BENCH_SIZES_EXAMPLE, { workloads: ['write'] }, ['read', 'write'] as const, 'tool');
    expect(plan.workloads).toEqual(['write']);
    expect(plan.duration).toBe(BENCH_SIZES_EXAMPLE.full.duration);
  });

  it('refuses an unknown workload with BAD_INPUT naming it and the known ones', () => {
    let caught: unknown;
    try {
      dbBenchPlan(BENCH_SIZES_EXAMPLE, { workloads: ['read', 'scan'] }, ['read', 'write'] as const, 'pgbench');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DevstackError);
    expect((caught as DevstackError).code).toBe('BAD_INPUT');
    expect((caught as DevstackError).message).toBe('Unknown pgbench workload "scan".');
    expect((caught as DevstackError).fix).toBe('Use --workloads read,write');
  });
});

describe('dbBenchTask', () => {
  it('runs every workload once per trial, then the probe, and turns the counts into metrics and a table', async () => {
    const { spec, calls } = fakeSpec({ tps: [100, 120, 110], latencyMs: 2 });
    const messages: string[] = [];
    const result = await dbBenchTask(spec)({ config, trials: 3, progress: (m: string) => messages.push(m) });
    // Order: create, prepare, (read, write, probe) x3, drop.
    expect(calls.filter((c) => c.startsWith('run:'))).toEqual(['run:read', 'run:write', 'run:read', 'run:write', 'run:read', 'run:write']);
    expect(calls[0]).toBe('create');
    expect(calls[1]).toBe('prepare');
    expect(calls[calls.length - 1]).toBe('drop');
    expect(calls.filter((c) => c === 'open')).toHaveLength(3 * 2);
    expect(calls.filter((c) => c === 'close')).toHaveLength(3 * 2);
    expect(messages).toContain('fake: preparing devstack_bench (fill 1)');
    expect(messages).toContain('fake: faketool read, 2 clients');

    expect(result.state).toBe('completed');
    expect(result.server).toEqual({ name: 'FakeSQL', version: '1.0' });
    expect(result.profile).toBe('dev');
    const names = result.metrics.map((m) => m.name);
    expect(names).toEqual(['read_tps', 'read_qps', 'read_p95_ms', 'write_tps', 'write_qps', 'write_p95_ms', 'single_row_p95_ms']);
    const readTps = result.metrics.find((m) => m.name === 'read_tps')!;
    // Each workload run reports tps[trial]: the median of 100, 120, 110 is 110.
    expect(readTps.trials).toEqual([100, 120, 110]);
    expect(readTps.value).toBe(110);
    expect(readTps.labels).toMatchObject({ tool: 'faketool', workload: 'read', clients: 2 });
    const readP95 = result.metrics.find((m) => m.name === 'read_p95_ms')!;
    expect(readP95.value).toBeGreaterThanOrEqual(1.9);
    expect(readP95.value).toBeLessThanOrEqual(2.1);

    expect(result.tables![0].title).toBe('FakeSQL bench: 3 trial(s); latency percentiles (ms) from HDR histograms merged over all trials');
    expect(result.tables![0].head).toEqual(['workload', 'tps median ±MAD', 'qps', 'samples', 'p50', 'p95', 'p99', 'max', 'errors']);
    expect(result.tables![0].rows).toHaveLength(3);
    expect(result.tables![0].rows[0][0]).toBe('read');
    expect(result.tables![0].rows[0][3]).toBe(3 * 10); // 10 samples per run
    const slo = result.checks.find((c) => c.name === 'single-row query p95 (SLO)')!;
    expect(slo.passed).toBe(true);
    expect(slo.expected).toBe(`<= ${SLO_P95_MS.dbSingleRow} ms`);
    expect(result.checks.filter((c) => c.name.startsWith('no failed')).every((c) => c.passed)).toBe(true);
    expect(result.notes).toContain('fake note');
  });

  it('fails the per-workload check and adds a note when the tool counts issues', async () => {
    const { spec } = fakeSpec({ tps: [50], latencyMs: 1, issues: { write: 2 } });
    const result = await dbBenchTask(spec)({ config, trials: 1 });
    const write = result.checks.find((c) => c.name === 'no failed write transactions')!;
    expect(write).toMatchObject({ passed: false, expected: '0', observed: '2' });
    expect(result.checks.find((c) => c.name === 'no failed read transactions')!.passed).toBe(true);
    expect(result.notes).toContain('write: 2 retried');
  });

  it('fails with CHECK_FAILED naming the first probe error, and still drops the bench database', async () => {
    const { spec, calls } = fakeSpec({ tps: [50], latencyMs: 1, probeError: 'relation "t" does not exist' });
    await expect(dbBenchTask(spec)({ config, trials: 1 })).rejects.toMatchObject({
      code: 'CHECK_FAILED',
      message: expect.stringMatching(/^fake probe: \d+ queries failed: relation "t" does not exist$/),
    });
    expect(calls[calls.length - 1]).toBe('drop');
  });

  it('keeps the database with --keep and records a warning when dropping fails', async () => {
    const kept = fakeSpec({ tps: [50], latencyMs: 1 });
    const r1 = await dbBenchTask(kept.spec)({ config, trials: 1, keep: true });
    expect(kept.calls).not.toContain('drop');
    expect(r1.notes).toContain('kept database devstack_bench (--keep)');

    const failing = fakeSpec({ tps: [50], latencyMs: 1, dropError: 'database is being accessed by other users' });
    const r2 = await dbBenchTask(failing.spec)({ config, trials: 1 });
    expect(r2.warnings).toContain('could not drop devstack_bench: database is being accessed by other users');
  });
});
