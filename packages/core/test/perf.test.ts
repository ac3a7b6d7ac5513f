import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as core from '../src/index';
import { baselineTask, compareInterleaved, regressTask, runTrials, type BenchOptions, type RegressOptions } from '../src/perf';
import { metricFromTrials } from '../src/results';
import { metricsTable } from '../src/output';
import { loadConfig } from '../src/config';
import { startResult } from '../src/task';
import type { DevstackError } from '../src/errors';

function workspace() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'core-perf-'));
  writeFileSync(path.join(root, 'nx.json'), '{}');
  return loadConfig({ root, env: {} });
}

// A controlled bench: fixed figures, so the tasks around it are tested, not a server.
const bench = async (o: BenchOptions) => {
  const r = startResult('demo', 'bench', { profile: 'default' });
  r.metrics.push(metricFromTrials('tps', 'tx/s', 'higher', [100, 110, 90].slice(0, o.trials ?? 3)));
  r.server = { name: 'Demo', version: '1.0' };
  return r.finish();
};

/** The load probe of a quiet machine: baselines record. */
const quiet = () => undefined;

describe('perf tasks', () => {
  it('the package index re-exports the shared vocabulary', () => {
    expect(typeof core.runCli).toBe('function');
    expect(core.STACK_SERVICES).toContain('postgres');
  });

  it('runTrials runs n trials with progress and stops on abort', async () => {
    const seen: string[] = [];
    expect(await runTrials(3, 'x', async (i) => i * 2, (m) => seen.push(m))).toEqual([0, 2, 4]);
    expect(seen).toEqual(['x: trial 1/3', 'x: trial 2/3', 'x: trial 3/3']);
    const c = new AbortController();
    c.abort(new Error('stopped'));
    await expect(runTrials(2, 'x', async () => 1, undefined, c.signal)).rejects.toThrow('stopped');
  });

  it('baseline records the bench into baselines/<backend>.json with the command that made it', async () => {
    const config = workspace();
    const result = await baselineTask<BenchOptions>('demo', bench, quiet)({ config, quick: true, trials: 3 });
    const saved = JSON.parse(readFileSync(path.join(config.root, 'baselines', 'demo.json'), 'utf8'));
    expect(saved.command).toBe('npx nx run demo:baseline --quick --trials 3');
    expect(saved.metrics.tps.median).toBe(100);
    expect(result.notes![0]).toContain('baselines/demo.json');
  });

  it('baseline refuses a bench without metrics', async () => {
    const empty = async () => startResult('demo', 'bench').finish();
    await expect(baselineTask<BenchOptions>('demo', empty, quiet)({ config: workspace() })).rejects.toThrow('demo bench produced no metrics; nothing to record.');
  });

  it('baseline refuses to record on a busy machine, before or after the bench, unless --force', async () => {
    const config = workspace();
    const busy = () => 'load average 5.00 is above half of the 2 cores (1)';
    await expect(baselineTask<BenchOptions>('demo', bench, busy)({ config })).rejects.toMatchObject({
      code: 'ENVIRONMENT',
      message: 'Not recording baselines/demo.json: load average 5.00 is above half of the 2 cores (1) before the bench.',
    });
    let calls = 0;
    const busyAfter = () => (calls++ === 0 ? undefined : 'load average 3.00 is above half of the 2 cores (1)');
    await expect(baselineTask<BenchOptions>('demo', bench, busyAfter)({ config, quick: true })).rejects.toThrow('after the bench (the figures were disturbed)');
    const forced = await baselineTask<BenchOptions & { force?: boolean }>('demo', bench, busy)({ config, quick: true, force: true });
    expect(forced.warnings!.join('\n')).toContain('recorded with --force on a busy machine');
  });

  it('regress compares with the baseline; per-metric thresholds are fractions in (0, 1]', async () => {
    const config = workspace();
    await baselineTask<BenchOptions>('demo', bench, quiet)({ config });
    const ok = await regressTask<RegressOptions>('demo', bench)({ config, thresholds: ['tps=0.1'] });
    expect(ok.checks.every((c) => c.passed)).toBe(true);
    for (const bad of ['tps=7', 'tps=0', 'tps']) {
      const err = (await regressTask<RegressOptions>('demo', bench)({ config, thresholds: [bad] }).catch((e) => e)) as DevstackError;
      expect(err.code).toBe('BAD_INPUT');
      expect(err.message).toBe(`Bad per-metric threshold "${bad}": a name=fraction with the fraction in (0, 1].`);
    }
  });

  it('compareInterleaved starts with the arm that is active already, without activating it', async () => {
    const events: string[] = [];
    await compareInterleaved({
      trials: 3,
      active: 'after',
      before: { label: 'default', activate: async () => void events.push('activate default') },
      after: { label: 'dev', activate: async () => void events.push('activate dev') },
      measure: async (arm) => {
        events.push(`measure ${arm}`);
        return [metricFromTrials('qps', 'q/s', 'higher', [1])];
      },
    });
    expect(events).toEqual(['measure dev', 'activate default', 'measure default', 'measure default', 'activate dev', 'measure dev', 'measure dev', 'activate default', 'measure default']);
  });

  it('compareInterleaved alternates the arms and judges each change by its 95% interval', async () => {
    const order: string[] = [];
    const vals: Record<string, number[]> = { a: [10, 11, 12, 11, 10], b: [20, 21, 22, 21, 20] };
    const out = await compareInterleaved({
      trials: 5,
      before: { label: 'a', activate: async () => void order.push('a') },
      after: { label: 'b', activate: async () => void order.push('b') },
      measure: async (arm, t) => [metricFromTrials('qps', 'q/s', 'higher', [vals[arm][t]]), metricFromTrials('ms', 'ms', 'lower', [5 + (t % 2)])],
    });
    // A B | B A | A B | B A | A B: an arm that follows itself is not activated again.
    expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(out.table.rows[0]).toEqual(['qps', 'q/s', '11 ±1', '21 ±1', '+90.9% [+75.0%, +110.0%]', 'improved', '5+5']);
    // An interval that straddles the threshold decides nothing: inconclusive, not "noise".
    expect(out.table.rows[1].slice(4)).toEqual(['+0.0% [-16.7%, +20.0%]', 'inconclusive', '5+5']);
  });

  it('metricsTable shows percentiles, spread and the SLO verdict', () => {
    const m = { ...metricFromTrials('p95_ms', 'ms', 'lower', [2, 3, 4]), p50: 1, p95: 3, p99: 5, slo: 2.5 };
    const t = metricsTable([m, metricFromTrials('tps', 'tx/s', 'higher', [1500, 1600])]);
    expect(t.head).toContain('p95');
    expect(t.rows[0]).toEqual(['p95_ms', 'ms', '3', '±1 (33.3%)', 3, '2..4', '1', '3', '5', '4', '<= 2.5 BROKEN']);
    expect(t.rows[1][2]).toBe('1,550');
  });
});

describe('profile catalog', () => {
  const spec = { service: 'postgres', ext: 'conf', serverName: 'PostgreSQL', fileHint: 'Give a postgresql.conf fragment.', parse: (t: string) => core.parseProfileFile(t, core.POSTGRESQL_CONF) };
  const setup = () => {
    const config = workspace();
    mkdirSync(path.join(config.root, 'configs', 'postgres'), { recursive: true });
    writeFileSync(path.join(config.root, 'configs', 'postgres', 'default.conf'), '# stock\n');
    writeFileSync(path.join(config.root, 'configs', 'postgres', 'dev.conf'), '# reason: speed\nfsync = off\n');
    return { config, catalog: new core.ProfileCatalog(spec) };
  };
  const auto = () => ({ text: 'work_mem = 8MB\n', settings: [{ name: 'work_mem', value: '8MB', reason: 'r' }], formula: { title: 'f', head: [], rows: [] } });

  it('resolves named, auto (rendered under .devstack) and --file profiles, and knows the active one', () => {
    const { config, catalog } = setup();
    expect(catalog.available(config).sort()).toEqual(['auto', 'default', 'dev']);
    expect(catalog.resolve(config, 'dev', undefined, auto).settings).toEqual([{ name: 'fsync', value: 'off', reason: 'speed' }]);
    const a = catalog.resolve(config, 'auto', undefined, auto);
    expect(a.file).toBe(path.join(config.stateRoot, 'conf', 'postgres', 'profiles', 'auto.conf'));
    expect(catalog.active(config)).toBe('default');
    mkdirSync(path.join(config.stateRoot, 'conf', 'postgres'), { recursive: true });
    writeFileSync(path.join(config.stateRoot, 'conf', 'postgres', 'active.conf'), 'fsync = off\n');
    expect(catalog.active(config)).toBe('dev');
    writeFileSync(path.join(config.stateRoot, 'conf', 'postgres', 'active.conf'), 'work_mem = 8MB\n');
    expect(catalog.active(config)).toBe('auto');
    writeFileSync(path.join(config.stateRoot, 'conf', 'postgres', 'active.conf'), 'x = 1\n');
    expect(catalog.active(config)).toBe('custom');
  });

  it('refuses an unknown profile, a missing file and a file in another syntax (exit 2, naming the line)', () => {
    const { config, catalog } = setup();
    expect(() => catalog.resolve(config, 'turbo', undefined, auto)).toThrow('Unknown PostgreSQL profile "turbo".');
    expect(() => catalog.resolve(config, undefined, '/no/such.conf', auto)).toThrow('Profile file /no/such.conf does not exist.');
    const passwd = path.join(config.root, 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\n');
    const err = (() => {
      try {
        catalog.resolve(config, undefined, passwd, auto);
      } catch (e) {
        return e as DevstackError;
      }
    })()!;
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`${passwd}: Line 1 is not postgresql.conf syntax (expected \`key = value\`, a # comment).`);
  });
});
