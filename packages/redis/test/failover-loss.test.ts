import { accountLoss, addLoss, type WriteRecord } from '../src/failover/loss';

const w = (key: string, value: string, outcome: 'acked' | 'failed', replicas: number): WriteRecord => ({ key, value, outcome, replicas });

describe('accountLoss', () => {
  const writes = [
    w('k1', 'v1', 'acked', 1), // survives
    w('k2', 'v2', 'acked', 1), // WAIT-acked and lost: the figure that must be 0
    w('k3', 'v3', 'acked', 0), // acked, not on a replica, lost: async replication
    w('k4', 'v4', 'failed', -1), // indeterminate, did land
    w('k5', 'v5', 'failed', -1), // indeterminate, did not land
    w('k6', 'v6', 'acked', 1), // holds a value never written: foreign
  ];
  const final = new Map<string, string | null>([
    ['k1', 'v1'],
    ['k2', null],
    ['k3', null],
    ['k4', 'v4'],
    ['k5', null],
    ['k6', 'zzz'],
  ]);

  it('separates WAIT-acked loss from plain-acked loss', () => {
    const r = accountLoss(writes, final);
    expect(r).toMatchObject({ writes: 6, acked: 4, replicatedAcked: 3, lostAcked: 3, lostReplicated: 2, failed: 2, failedButApplied: 1, foreign: 1 });
    expect(r.examples).toEqual(['k2', 'k3', 'k6']);
  });

  it('failed writes are never counted as lost, whatever the outcome', () => {
    const r = accountLoss([w('a', '1', 'failed', -1)], new Map([['a', null]]));
    expect(r.lostAcked).toBe(0);
    expect(r.failed).toBe(1);
  });

  it('refuses to account for a key that was not read back (a silent pass otherwise)', () => {
    expect(() => accountLoss([w('a', '1', 'acked', 1)], new Map())).toThrow(/no final value/);
  });

  it('sums reports', () => {
    const a = accountLoss(writes, final);
    const t = addLoss([a, a]);
    expect(t.lostReplicated).toBe(4);
    expect(t.acked).toBe(8);
    expect(t.examples.length).toBeLessThanOrEqual(5);
  });
});
