import * as path from 'node:path';
import { DEFAULT_CONFIG } from '@devstack/core';
import { loadPolicy, planTopology } from '@devstack/runtime';
import { buildMatrix, hostCells, judge, matrixGrid, type MatrixCell } from '../src/matrix';

const policy = loadPolicy(path.resolve(__dirname, '../../..'));
const plan = planTopology(policy, { portOffset: 0, ports: DEFAULT_CONFIG.ports });
const cells = buildMatrix(policy, plan, DEFAULT_CONFIG);

describe('reachability matrix', () => {
  test('4 networks x 11 stack service ports; allowed and denied cells in every network but data', () => {
    expect(cells).toHaveLength(44);
    expect(cells.filter((c) => c.expected === 'allow')).toHaveLength(23);
    // data reaches every stack server by policy; its denial (data -> api) is in the compose matrix only (no api runs locally).
    expect(cells.filter((c) => c.from === 'data').every((c) => c.expected === 'allow')).toBe(true);
    for (const n of ['vault', 'app', 'observability']) {
      const mine = cells.filter((c) => c.from === n);
      expect(mine.some((c) => c.expected === 'allow')).toBe(true);
      expect(mine.some((c) => c.expected === 'deny')).toBe(true);
    }
    expect(hostCells(policy, plan, DEFAULT_CONFIG).every((c) => c.expected === 'allow' && c.address === '127.0.0.1')).toBe(true);
  });

  test('expectations follow the policy', () => {
    const cell = (id: string) => cells.find((c) => c.id === id)!;
    expect(cell('app/postgres/sql').expected).toBe('allow');
    expect(cell('app/mongodb/metrics').expected).toBe('deny');
    expect(cell('app/mongodb/metrics').sameNetwork).toBe(true);
    expect(cell('observability/vault/api').expected).toBe('deny');
    expect(cell('observability/vault/api').sameNetwork).toBe(false);
    expect(cell('data/redis/client#5').port).toBe(17005);
  });

  const allow = cells.find((c) => c.id === 'app/postgres/sql') as MatrixCell;
  const deny = cells.find((c) => c.id === 'observability/postgres/sql') as MatrixCell;
  const o = (outcome: string) => ({ id: 'x', outcome: outcome as never, detail: '', ms: 1 });

  test('an allowed flow passes only on a completed exchange', () => {
    expect(judge(allow, o('ok')).passed).toBe(true);
    for (const bad of ['connected', 'refused', 'timeout', 'unreachable', 'error']) expect(judge(allow, o(bad)).passed).toBe(false);
    expect(judge(allow, undefined).passed).toBe(false);
  });

  test('a denied flow that connects fails, even when the exchange then fails', () => {
    expect(judge(deny, o('ok')).passed).toBe(false);
    expect(judge(deny, o('connected')).passed).toBe(false);
    expect(judge(deny, o('error')).passed).toBe(false);
    for (const good of ['refused', 'timeout', 'unreachable']) expect(judge(deny, o(good)).passed).toBe(true);
  });

  test('the grid marks failures', () => {
    const grid = matrixGrid([judge(allow, o('ok')), judge(deny, o('connected'))]);
    expect(grid.rows).toEqual([
      ['app', 'A/ok'],
      ['observability', 'D/connected FAIL'],
    ]);
  });
});
