import type { DbBenchOptions, LoadedConfig, TaskResult } from '@devstack/core';

/** A SQL backend's quick live bench: its workloads (metric prefixes), server name, and what is left of the bench database. */
export interface DbBenchSuiteSpec {
  backend: string;
  config: LoadedConfig;
  bench(options: DbBenchOptions & { config: LoadedConfig }): Promise<TaskResult>;
  serverName: string;
  /** Metric prefixes of the tool's workloads, e.g. tpcb_like: `<w>_tps` and `<w>_p95_ms` each. */
  workloads: string[];
  /** Every metric, in order, where the suite pins the list. */
  metrics?: string[];
  /** The tool reports queries per second too (`<w>_qps`): more than transactions. */
  qps?: boolean;
  /** The rows naming the bench database on the server after the run (none expected). */
  benchDatabaseRows(): Promise<unknown[]>;
}

/** The live quick bench of a SQL backend (dbBenchTask): sane figures, ordered percentiles, the SLO verdict, cleanup. */
export function describeDbBench(spec: DbBenchSuiteSpec): void {
  describe(`${spec.backend} bench (live, quick)`, () => {
    it('produces sane figures: TPS > 0, ordered percentiles, the SLO metric, and cleans up its database', async () => {
      const result = await spec.bench({ config: spec.config, quick: true, trials: 1, duration: 2, probeDuration: 1 });
      expect(result.state).toBe('completed');
      expect(result.server?.name).toBe(spec.serverName);
      const byName = Object.fromEntries(result.metrics.map((m) => [m.name, m]));
      if (spec.metrics) expect(Object.keys(byName)).toEqual(spec.metrics);
      for (const w of spec.workloads) {
        expect(byName[`${w}_tps`].value).toBeGreaterThan(0);
        if (spec.qps) expect(byName[`${w}_qps`].value).toBeGreaterThan(byName[`${w}_tps`].value);
      }
      for (const name of [...spec.workloads.map((w) => `${w}_p95_ms`), 'single_row_p95_ms']) {
        const m = byName[name];
        expect(m.p50).toBeGreaterThan(0);
        expect(m.p50!).toBeLessThanOrEqual(m.p95!);
        expect(m.p95!).toBeLessThanOrEqual(m.p99!);
        expect(m.p99!).toBeLessThanOrEqual(m.max!);
      }
      expect(byName.single_row_p95_ms.slo).toBe(50);
      // Functional checks must pass; the SLO is a speed goal: its verdict must match the measured value,
      // but a loaded machine may miss it (benchmarks record it, tests do not gate on speed).
      const slo = result.checks.find((c) => /SLO/.test(c.name));
      expect(slo).toBeDefined();
      expect(slo!.passed).toBe(byName.single_row_p95_ms.value <= 50);
      expect(result.checks.filter((c) => c !== slo).every((c) => c.passed)).toBe(true);
      expect(await spec.benchDatabaseRows()).toEqual([]);
    });
  });
}
