import { abMetric, startResult } from '@devstack/core';
import { abChange, abRegressData } from '../src/perf-data';

describe('report: same-run A/B regress results', () => {
  const result = () => {
    const r = startResult('postgres', 'regress');
    const tps = abMetric({ name: 'tpcb_like_tps', unit: 'tx/s', better: 'higher', before: [1000, 1010, 990, 1005, 995], after: [300, 310, 290, 305, 295], threshold: 0.2 });
    r.data = { mode: 'ab', base: 'HEAD~1', baseSha: 'a'.repeat(40), profile: 'dev', verdict: 'regressed', method: 'HL', results: [tps] };
    return r.finish();
  };

  it('recognises an A/B result and renders the change with its interval', () => {
    const ab = abRegressData(result())!;
    expect(ab.verdict).toBe('regressed');
    expect(ab.results![0].verdict).toBe('regressed');
    expect(abChange(ab.results![0])).toMatch(/^-70\.0% \[-7\d\.\d%, -6\d\.\d%\]$/);
    expect(abChange({ change: 0.05 })).toBe('+5.0%');
  });

  it('leaves stored-baseline results alone', () => {
    const r = startResult('postgres', 'regress');
    r.data = { outcome: { comparable: true, comparisons: [], failed: false } };
    expect(abRegressData(r.finish())).toBeUndefined();
  });
});
