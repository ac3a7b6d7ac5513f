import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { collectPerf, regressStatus, compareRows, timelineOf } from '../src/perf-data';
import { perf, renderPerformance } from '../src/perf-report';
import { startResult } from '@devstack/core';
import { perfWorkspace, removeScratch } from './perf-fixture';

describe('report:perf', () => {
  let ws: Awaited<ReturnType<typeof perfWorkspace>>;
  beforeAll(async () => {
    ws = await perfWorkspace();
  });
  afterAll(removeScratch);

  it('collects every backend with a baseline or a result, sorted', () => {
    const data = collectPerf(ws.root, ws.config.stateRoot);
    expect(data.map((b) => b.backend)).toEqual(['load', 'mysql', 'postgres', 'redis']);
    const pg = data.find((b) => b.backend === 'postgres')!;
    expect(pg.baseline?.metrics.tps.median).toBe(1000);
    expect(Object.keys(pg.latest).sort()).toEqual(['bench', 'regress']);
  });

  it('reads the regress verdict from core\'s regress outcome: a controlled 50% drop regresses', () => {
    const data = collectPerf(ws.root, ws.config.stateRoot);
    expect(regressStatus(data.find((b) => b.backend === 'postgres')!)).toBe('regressed');
    expect(regressStatus(data.find((b) => b.backend === 'mysql')!)).toBe('no baseline');
  });

  it('parses the before/after table of compareInterleaved and a failover timeline', () => {
    const data = collectPerf(ws.root, ws.config.stateRoot);
    const tune = data.find((b) => b.backend === 'mysql')!.latest.tune!;
    expect(compareRows(tune.tables![0])).toEqual([
      { metric: 'qps', unit: 'q/s', before: 800, after: 1200, change: '+50.0% [+47.8%, +52.2%]', verdict: 'improved', beforeLabel: 'default', afterLabel: 'tuned' },
    ]);
    expect(timelineOf(data.find((b) => b.backend === 'redis')!.latest.failover).map((e) => e.atMs)).toEqual([0, 2100, 2380]);
  });

  it('writes .devstack/report/PERFORMANCE_BASELINE.md with the figures of the files', async () => {
    await perf({ config: ws.config });
    const md = readFileSync(path.join(ws.config.stateRoot, 'report', 'PERFORMANCE_BASELINE.md'), 'utf8');
    expect(md).toContain('| tps | tx/s | higher | 1000 | ±10 | 3 | - |');
    expect(md).toContain('Regress verdict: **regressed**');
    expect(md).toMatch(/\| tps \| tx\/s \| 1000 \| 500 \| -50\.0% \| 20% \| regressed \|/);
    expect(md).toContain('| qps | q/s | 800 ±5 | 1200 ±5 | +50.0% [+47.8%, +52.2%] | improved | 5+5 |');
    expect(md).toContain('| 2100 | replica marked master |');
    expect(md).toContain('### load sustained');
    expect(md).toContain('| http_req_ms | ms | 9 |');
    expect(md).toContain('No baseline recorded (`npx nx run mysql:baseline`)');
  });

  it('reads a failover timeline from per-repetition timings (redis failover style)', () => {
    const r = { data: { repetitions: [{ rep: 1, detectionMs: 3571, promotionMs: 4328, clusterOkMs: 4330, maxPollGapMs: 77 }] } } as unknown as Parameters<typeof timelineOf>[0];
    expect(timelineOf(r)).toEqual([
      { atMs: 0, label: 'fault injected' },
      { atMs: 3571, label: 'failure detected' },
      { atMs: 4328, label: 'replica promoted' },
      { atMs: 4330, label: 'cluster_state ok' },
    ]);
  });

  it('works with nothing recorded yet', () => {
    const md = renderPerformance([]);
    expect(md).toContain('_No tune results yet');
    expect(md).toContain('_No failover results yet');
  });

  it('shows the knee of every run and its spread when load:capacity ran with --runs', () => {
    const cap = startResult('load', 'capacity');
    const route = (name: string, knee: number) => ({ route: name, paths: [`/${name}`], sloP95Ms: 50, knee, generatorBound: false, steps: [] });
    cap.data = {
      routes: [route('mongodb', 1862), route('vault', 1121)],
      spread: [
        { route: 'mongodb', knees: [1862, 1862, 1862], median: 1862, maxDeviationPct: 0 },
        { route: 'vault', knees: [610, 827, 1121], median: 827, maxDeviationPct: 35.6 },
      ],
    };
    const md = renderPerformance([{ backend: 'load', latest: { capacity: cap.finish() } }]);
    expect(md).toContain('The same search repeated 3 times, one run after the other');
    expect(md).toContain('| route | run 1 | run 2 | run 3 | median | max deviation from the median |');
    expect(md).toContain('| vault | 610 | 827 | 1121 | 827 | 35.6% |');
    // One run: no spread table.
    const one = startResult('load', 'capacity');
    one.data = { routes: [route('mongodb', 1862)] };
    expect(renderPerformance([{ backend: 'load', latest: { capacity: one.finish() } }])).not.toContain('The same search repeated');
  });
});
