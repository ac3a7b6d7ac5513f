import { isDevstackError } from '@devstack/core';
import { generateMix, makeRecord, recordId, scramble, seededRandom, zipfian } from '../src/ycsb';

const count = <T>(xs: T[], f: (x: T) => boolean) => xs.filter(f).length;

describe('YCSB mix generator', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateMix('A', { records: 1000, operations: 500, seed: 7 });
    expect(generateMix('A', { records: 1000, operations: 500, seed: 7 })).toEqual(a);
    expect(generateMix('A', { records: 1000, operations: 500, seed: 8 })).not.toEqual(a);
  });

  it.each([
    ['A', 0.5],
    ['B', 0.95],
  ] as const)('workload %s reads a fraction close to %d', (w, read) => {
    const ops = generateMix(w, { records: 1000, operations: 20000 });
    expect(count(ops, (o) => o.op === 'read') / ops.length).toBeCloseTo(read, 1);
    expect(count(ops, (o) => o.op === 'update')).toBeGreaterThan(0);
  });

  it('workload C is read only', () => {
    expect(count(generateMix('C', { records: 100, operations: 5000 }), (o) => o.op !== 'read')).toBe(0);
  });

  it('keeps keys and fields in range', () => {
    for (const distribution of ['zipfian', 'uniform'] as const) {
      const ops = generateMix('A', { records: 37, operations: 5000, distribution });
      expect(ops.every((o) => o.key >= 0 && o.key < 37 && o.field >= 0 && o.field < 10)).toBe(true);
    }
  });

  it('zipfian is skewed: the hottest 1% of keys draw far more than 1% of requests; uniform does not', () => {
    const hot = (distribution: 'zipfian' | 'uniform') => {
      const hits = new Map<number, number>();
      for (const o of generateMix('C', { records: 1000, operations: 50000, distribution })) hits.set(o.key, (hits.get(o.key) ?? 0) + 1);
      const top = [...hits.values()].sort((a, b) => b - a).slice(0, 10);
      return top.reduce((a, b) => a + b, 0) / 50000;
    };
    expect(hot('zipfian')).toBeGreaterThan(0.15);
    expect(hot('uniform')).toBeLessThan(0.03);
  });

  it('zipfian rank 0 is the most frequent rank', () => {
    const z = zipfian(100, seededRandom(1));
    const hits = Array(100).fill(0);
    for (let i = 0; i < 20000; i++) hits[z()] += 1;
    expect(Math.max(...hits)).toBe(hits[0]);
  });

  it('scrambling stays in range', () => {
    for (let r = 0; r < 1000; r++) expect(scramble(r, 97)).toBeLessThan(97);
  });

  it('refuses bad sizes and unknown workloads with BAD_INPUT', () => {
    expect(() => generateMix('A', { records: 0, operations: 10 })).toThrow(/--records must be a positive integer; got 0/);
    const err = (() => {
      try {
        generateMix('D' as 'A', { records: 10, operations: 10 });
      } catch (e) {
        return e;
      }
    })();
    expect(isDevstackError(err, 'BAD_INPUT')).toBe(true);
    expect((err as Error).message).toBe('Unknown YCSB workload "D".');
  });

  it('builds records of ten fields of the requested total size', () => {
    const doc = makeRecord(5, 1000, seededRandom(3));
    expect(doc._id).toBe(recordId(5));
    expect(Object.keys(doc)).toHaveLength(11);
    expect(doc.field9).toHaveLength(100);
  });
});
