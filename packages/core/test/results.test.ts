import { metricFromTrials } from '../src/results';

describe('metricFromTrials', () => {
  it('keeps every trial to 3 decimals (Array.map must not pass the index as the digit count)', () => {
    const m = metricFromTrials('x', 'ms', 'lower', [0.74321, 0.70111, 3.44444]);
    expect(m.trials).toEqual([0.743, 0.701, 3.444]);
    expect(m.value).toBe(0.743);
  });
});
