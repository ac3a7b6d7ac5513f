import { readFileSync } from 'node:fs';
import { Cluster } from 'ioredis';
import { endpointsOf, getCredentials, isDevstackError, loadConfig, type TaskResult } from '@devstack/core';
import { clusterShape, providerFor } from '@devstack/runtime';
import { tune } from '../src/tune';
import { onNode } from '../src/topology';

// Live suite: the embedded Redis cluster (3 masters + 3 replicas), real nodes restarted for real.
const config = loadConfig();
const nodes = endpointsOf(config).redis.nodes;
const PREFIX = 'devstack:tunesuite:';
let password: string;
const observed: { windows: Window[]; samples: number } = { windows: [], samples: 0 };

interface Window {
  startMs: number;
  durationMs: number;
}

/** Sample CLUSTER INFO on every answering node every 100 ms; a window is a run of samples where one said not ok. */
function sampleClusterState() {
  const windows: Window[] = [];
  let samples = 0;
  let openAt: number | undefined;
  let running = true;
  const t0 = Date.now();
  const loop = (async () => {
    while (running) {
      const states = await Promise.all(nodes.map((n) => onNode<string>(n, password, 'CLUSTER', 'INFO').then((t) => /cluster_state:(\w+)/.exec(t)?.[1], () => undefined)));
      samples += 1;
      const bad = states.some((s) => s !== undefined && s !== 'ok');
      const now = Date.now() - t0;
      if (bad && openAt === undefined) openAt = now;
      if (!bad && openAt !== undefined) {
        windows.push({ startMs: openAt, durationMs: now - openAt });
        openAt = undefined;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      if (openAt !== undefined) windows.push({ startMs: openAt, durationMs: Date.now() - t0 - openAt });
      return { windows, samples };
    },
  };
}

/** A client writing every 20 ms through the restart: failed writes grouped into windows, and the slowest write. */
function backgroundWriter(cluster: Cluster) {
  const failures: number[] = [];
  let maxMs = 0;
  let writes = 0;
  let running = true;
  const t0 = Date.now();
  const loop = (async () => {
    while (running) {
      const s = Date.now();
      try {
        await cluster.set(`${PREFIX}during:${writes % 50}`, String(writes));
        maxMs = Math.max(maxMs, Date.now() - s);
      } catch {
        failures.push(s - t0);
      }
      writes += 1;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const windows: number[] = [];
      let start: number | undefined;
      let last = 0;
      for (const f of failures) {
        if (start === undefined || f - last > 200) {
          if (start !== undefined) windows.push(last - start + 20);
          start = f;
        }
        last = f;
      }
      if (start !== undefined) windows.push(last - start + 20);
      return { writes, failed: failures.length, windows, maxMs };
    },
  };
}

async function configEverywhere(name: string): Promise<string[]> {
  return Promise.all(nodes.map(async (n) => ((await onNode<string[]>(n, password, 'CONFIG', 'GET', name)) ?? [])[1]));
}

async function healthy(): Promise<string[]> {
  return (await clusterShape(nodes[0], password)).problems;
}

beforeAll(async () => {
  password = (await getCredentials(config, 'redis')).password;
  expect(await healthy()).toEqual([]);
});

afterAll(async () => {
  await tune({ config, profile: 'default' });
});

describe('redis tune (rolling restart of the live cluster)', () => {
  it('applies dev to all six nodes: cluster_state stays ok but for bounded windows, and every key survives', async () => {
    const cluster = new Cluster(nodes.slice(0, 3), { redisOptions: { password } });
    const keys = Array.from({ length: 2000 }, (_, i) => `${PREFIX}${i}`);
    await Promise.all(keys.map((k, i) => cluster.set(k, `v${i}`)));
    const sampler = sampleClusterState();
    const writer = backgroundWriter(cluster);
    let result: TaskResult | undefined;
    let client: Awaited<ReturnType<ReturnType<typeof backgroundWriter>['stop']>>;
    try {
      result = await tune({ config, profile: 'dev' });
    } finally {
      const sampled = await sampler.stop();
      client = await writer.stop();
      cluster.disconnect();
      Object.assign(observed, sampled);
    }
    const { windows, samples } = observed;
    console.log(`client writes during the restart: ${client.writes}, failed: ${client.failed}, failure windows (ms): ${JSON.stringify(client.windows)}, slowest write: ${client.maxMs} ms`);
    expect(client.writes).toBeGreaterThan(20);
    for (const w of client.windows) expect(w).toBeLessThan(config.redis.nodeTimeoutMs + 3000);
    const reader = new Cluster(nodes.slice(0, 3), { redisOptions: { password } });
    console.log(`cluster_state samples: ${samples}, not-ok windows (ms): ${JSON.stringify(windows.map((w) => w.durationMs))}`);
    expect(result!.data?.state).toBe('applied');
    expect(result!.checks.every((c) => c.passed)).toBe(true);
    expect(samples).toBeGreaterThan(5);
    // Bounded: each not-ok view lasts less than the cluster-node-timeout plus a restart.
    for (const w of windows) expect(w.durationMs).toBeLessThan(config.redis.nodeTimeoutMs + 3000);
    expect(await configEverywhere('maxmemory')).toEqual(Array(6).fill('536870912'));
    expect(await configEverywhere('maxmemory-policy')).toEqual(Array(6).fill('allkeys-lru'));
    expect(await configEverywhere('save')).toEqual(Array(6).fill(''));
    expect(await healthy()).toEqual([]);
    try {
      const values = await Promise.all(keys.map((k) => reader.get(k)));
      expect(values.filter((v, i) => v !== `v${i}`)).toEqual([]);
      await Promise.all(keys.map((k) => reader.del(k)));
    } finally {
      reader.disconnect();
    }
  });

  it('refuses maxmemory-policy bogus: the node does not start, the cluster is rolled back to the previous config', async () => {
    const before = readFileSync(providerFor(config).activeConfig('redis')!, 'utf8');
    const result = await tune({ config, profile: 'dev', set: ['maxmemory-policy=bogus'] });
    expect(result.data?.state).toBe('rolled-back');
    expect(String(result.data?.reason)).toMatch(/refused the new config: .*redis:\d+ .*exited/);
    expect(result.checks).toEqual([expect.objectContaining({ name: 'redis accepted the profile', passed: false })]);
    expect(readFileSync(providerFor(config).activeConfig('redis')!, 'utf8')).toBe(before);
    expect(await configEverywhere('maxmemory-policy')).toEqual(Array(6).fill('allkeys-lru'));
    expect(await healthy()).toEqual([]);
  });

  it('refuses a maxmemory six nodes cannot hold before touching anything (BAD_INPUT, exit 2)', async () => {
    const before = readFileSync(providerFor(config).activeConfig('redis')!, 'utf8');
    await expect(tune({ config, profile: 'dev', set: ['maxmemory=100000gb'] })).rejects.toThrow(/maxmemory 100000gb x 6 nodes = .* but only .* available/);
    await tune({ config, profile: 'dev', set: ['maxmemory=100000gb'] }).catch((err) => expect(isDevstackError(err, 'BAD_INPUT')).toBe(true));
    expect(readFileSync(providerFor(config).activeConfig('redis')!, 'utf8')).toBe(before);
  });

  it('refuses an unknown profile (BAD_INPUT)', async () => {
    await expect(tune({ config, profile: 'nope' })).rejects.toThrow(/Unknown Redis profile "nope"/);
  });
});
