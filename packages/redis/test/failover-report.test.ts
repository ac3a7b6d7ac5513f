import { DevstackError } from '@devstack/core';
import { resolveFailoverOptions } from '../src/failover';
import { renderPlaybook } from '../src/failover/playbook';
import { scenarioTable, summarizeReps, verdictOf, type Repetition } from '../src/failover/report';
import type { TaskResult } from '@devstack/core';

const rep = (i: number, ok?: number): Repetition => ({ rep: i, victimPort: 17000, replicaPort: 17003, detectionMs: ok && ok - 900, promotionMs: ok && ok - 50, clusterOkMs: ok, maxPollGapMs: 51 });

describe('summarizeReps', () => {
  it('median and worst over the repetitions', () => {
    expect(summarizeReps([rep(1, 3000), rep(2, 3400), rep(3, 3100), rep(4, 4000), rep(5, 3200)], 'clusterOkMs')).toEqual({ median: 3200, worst: 4000, n: 5, missing: 0 });
  });
  it('a repetition that never recovered is reported as missing, not dropped silently', () => {
    expect(summarizeReps([rep(1, 3000), rep(2)], 'clusterOkMs')).toMatchObject({ n: 1, missing: 1 });
  });
});

describe('verdictOf', () => {
  it('passes only when every check passes, and never on no checks at all', () => {
    expect(verdictOf([])).toBe('fail');
    expect(verdictOf([{ name: 'a', passed: true, expected: '', observed: '' }])).toBe('pass');
    expect(verdictOf([{ name: 'a', passed: true, expected: '', observed: '' }, { name: 'b', passed: false, expected: '', observed: '' }])).toBe('fail');
  });
});

describe('resolveFailoverOptions', () => {
  it('defaults: 5 repetitions, 1 in quick mode, budget 5 s, 50 ms polling, node timeout from config', () => {
    expect(resolveFailoverOptions({}, 2000)).toMatchObject({ repeat: 5, budgetMs: 5000, pollMs: 50, nodeTimeoutMs: 2000 });
    expect(resolveFailoverOptions({ quick: true }, 2000).repeat).toBe(1);
    expect(resolveFailoverOptions({ quick: true, repeat: 3, nodeTimeoutMs: 1500 }, 2000)).toMatchObject({ repeat: 3, nodeTimeoutMs: 1500 });
  });
  it.each([
    [{ pollMs: 100 }, /--poll-ms/],
    [{ repeat: 0 }, /--repeat/],
    [{ budgetMs: -1 }, /--budget-ms/],
    [{ nodeTimeoutMs: 50 }, /--node-timeout-ms/],
  ])('refuses %j with BAD_INPUT (exit 2)', (opts, msg) => {
    let err: unknown;
    try {
      resolveFailoverOptions(opts, 2000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DevstackError);
    expect((err as DevstackError).code).toBe('BAD_INPUT');
    expect((err as DevstackError).exitCode).toBe(2);
    expect((err as DevstackError).message).toMatch(msg);
  });
});

describe('renderPlaybook', () => {
  const loss = { writes: 10, acked: 9, replicatedAcked: 8, lostAcked: 0, lostReplicated: 0, failed: 1, failedButApplied: 0, foreign: 0, examples: [] };
  const result = (okMs: number) =>
    ({
      backend: 'redis',
      task: 'failover',
      state: 'completed',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1,
      machine: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 4, platform: 'linux', arch: 'x64', node: 'v20' },
      server: { name: 'Redis Cluster', version: '7.0.15' },
      metrics: [],
      checks: [],
      data: {
        options: { repeat: 2, budgetMs: 5000, pollMs: 50, nodeTimeoutMs: 2000, dataKeys: 50, commandTimeoutMs: 1000, quick: false },
        outcomes: [{ id: 2, name: 'kill -9 a master', verdict: 'pass', detectionMs: 2100, promotionMs: okMs - 40, clusterOkMs: okMs, checks: [{ name: 'promoted', passed: true, expected: 'x', observed: 'y' }], notes: [], durationMs: 1, loss }],
        repetitions: [rep(1, okMs), rep(2, okMs + 200)],
        totals: { single: loss, double: loss },
      },
    }) as unknown as TaskResult;

  it('takes every figure from the result', () => {
    const a = renderPlaybook(result(3000));
    const b = renderPlaybook(result(3333));
    expect(a).toContain('| 2 | kill -9 a master | PASS | 2100 ms | 2960 ms | 3000 ms |');
    expect(a).toContain('`cluster_state:ok` everywhere after 3100 ms (worst 3200 ms)');
    expect(b).toContain('after 3433 ms (worst 3533 ms)');
    expect(a).toContain('Redis Cluster 7.0.15');
    expect(a).toContain('cluster-node-timeout 2000 ms');
  });
});

describe('scenarioTable', () => {
  it('one row per scenario with verdict, times and loss', () => {
    const t = scenarioTable([{ id: 3, name: 'data', verdict: 'fail', checks: [], notes: [], durationMs: 1, loss: { writes: 5, acked: 5, replicatedAcked: 5, lostAcked: 1, lostReplicated: 1, failed: 0, failedButApplied: 0, foreign: 0, examples: ['k'] } }]);
    expect(t.rows).toEqual([[3, 'data', 'FAIL', '-', '-', '-', '-', '-', '1 of 5 (1 of 5)']]);
  });
});
