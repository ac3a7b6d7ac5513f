import { endpointsOf, getCredentials, isDevstackError, loadConfig } from '@devstack/core';
import { bench } from '../src/bench';
import { BENCH_USER } from '../src/bench-user';
import { onNode } from '../src/topology';

// Live suite: a short real bench against the embedded cluster; figures must be sane, not fast.
const config = loadConfig();

describe('redis bench (short, real)', () => {
  it('measures redis-benchmark per master and cluster-wide, and the ioredis client bench', async () => {
    const result = await bench({ config, quick: true, trials: 1, requests: 5000, operations: 2000 });
    const m = (name: string) => result.metrics.find((x) => x.name === name);
    expect(result.server?.name).toBe('Redis');
    expect(result.server?.version).toMatch(/^7\./);
    for (const prefix of ['m0', 'm1', 'm2', 'cluster']) {
      for (const name of [`${prefix}_set_rps`, `${prefix}_get_rps`, `${prefix}_set_p16_rps`, `${prefix}_get_p16_rps`]) {
        expect(m(name)?.value).toBeGreaterThan(500);
        expect(m(name)?.value).toBeLessThan(20_000_000);
      }
      expect(m(`${prefix}_get_p95_ms`)?.value).toBeGreaterThan(0);
    }
    expect(m('client_cluster_ops')?.value).toBeGreaterThan(100);
    expect(m('client_single_ops')?.value).toBeGreaterThan(100);
    expect(m('client_cluster_p95_ms')?.slo).toBe(5);
    expect(m('client_cluster_p95_ms')?.p50).toBeGreaterThan(0);
    // A redirect is two round trips: never cheaper than the direct answer.
    expect(m('moved_redirect_p95_ms')!.p50!).toBeGreaterThan(m('direct_get_p95_ms')!.p50!);
    expect(result.checks.find((c) => c.name === 'ioredis bench: no failed operations')?.passed).toBe(true);
  });

  it('--client-seconds drives each ioredis client for a duration instead of a count', async () => {
    const t0 = Date.now();
    const result = await bench({ config, quick: true, trials: 1, only: 'client', clientSeconds: 0.5 });
    const m = (name: string) => result.metrics.find((x) => x.name === name);
    // Two clients, each 0.5 s measured after a 0.125 s warm-up: at least 1.25 s of driving.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1250);
    expect(m('client_single_ops')?.value).toBeGreaterThan(100);
    expect(m('client_cluster_ops')?.value).toBeGreaterThan(100);
    expect(result.checks.find((c) => c.name === 'ioredis bench: no failed operations')?.passed).toBe(true);
    const err = await bench({ config, quick: true, trials: 1, only: 'client', clientSeconds: 0 }).catch((e) => e);
    expect(isDevstackError(err, 'BAD_INPUT')).toBe(true);
    expect(err.message).toBe('--client-seconds must be a number of seconds in (0, 600]; got 0.');
  });

  it('leaves no bench user and no bench keys behind', async () => {
    const { password } = await getCredentials(config, 'redis');
    for (const node of endpointsOf(config).redis.nodes) {
      const users = await onNode<string[]>(node, password, 'ACL', 'USERS');
      expect(users).not.toContain(BENCH_USER);
    }
    for (const node of endpointsOf(config).redis.nodes.slice(0, 6)) {
      const role = await onNode<unknown[]>(node, password, 'ROLE');
      if (role[0] !== 'master') continue;
      const [, keys] = await onNode<[string, string[]]>(node, password, 'SCAN', 0, 'MATCH', '{bench*', 'COUNT', 100000);
      expect(keys).toEqual([]);
    }
  });

  it('fails with SERVICE_DOWN when the cluster does not answer', async () => {
    const down = loadConfig({ flags: { ports: { redis: 47000 } } });
    const err = await bench({ config: down, quick: true, trials: 1 }).catch((e) => e);
    expect(isDevstackError(err, 'SERVICE_DOWN')).toBe(true);
    expect(err.message).toMatch(/Redis cluster unreachable/);
  });
});
