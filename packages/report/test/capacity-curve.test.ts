import { throughputLatency } from '../src/svg-charts';

describe('throughput-latency curve (SVG)', () => {
  const points = [
    { x: 50, p50: 1, p95: 2, p99: 4, passed: true },
    { x: 100, p50: 1.2, p95: 3, p99: 6, passed: true },
    { x: 180, p50: 40, p95: 900, p99: 1500, passed: false },
  ];
  const svg = throughputLatency(points, 100, 100);

  it('draws p50, p95 and p99 as three polylines with a marker per step', () => {
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg.match(/<circle /g)).toHaveLength(9);
    expect(svg).toContain('180 req/s: p95 900 ms (step failed)');
  });

  it('uses a log latency axis: decades 1, 10, 100, 1000, 10000 ms, equally spaced', () => {
    const ticks = [...svg.matchAll(/<line x1="60" y1="([\d.]+)" x2="740" y2="[\d.]+" stroke="#eee"\/><text[^>]*>([^<]+)</g)].map((m) => [Number(m[1]), m[2]]);
    expect(ticks.map((t) => t[1])).toEqual(['1.00', '10.0', '100', '1000', '10000']);
    const gaps = ticks.slice(1).map((t, i) => (ticks[i][0] as number) - (t[0] as number));
    for (const g of gaps) expect(g).toBeCloseTo(gaps[0], 0);
  });

  it('marks the SLO line and the knee', () => {
    expect(svg).toMatch(/<line class="slo"[^>]*><title>SLO p95 &lt; 100 ms<\/title>/);
    expect(svg).toMatch(/<line class="knee"[^>]*><title>knee 100 req\/s<\/title>/);
    expect(throughputLatency(points, 100, 0)).not.toContain('class="knee"');
  });
});
