import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_PORTS, loadConfig, runCommand, type LoadedConfig } from '@devstack/core';
import { assertRouteVia, foreignTopology, planTopology, loadPolicy, segmentDown, segmentUp, stateFile } from '@devstack/runtime';
import { DEFAULT_CONNECT_TIMEOUT_MS, matrix, PROBE_SCRIPT } from '../src/reachability';
import type { CellVerdict } from '../src/matrix';

const config = loadConfig();
const policy = loadPolicy(config.root);

// Network namespaces, bridges and nftables need root: as an ordinary user the stack runs without
// segmentation (npm test says so) and these suites are reported as skipped, with the reason, never as passed.
const asRoot = typeof process.getuid !== 'function' || process.getuid() === 0;
const describeAsRoot = asRoot ? describe : describe.skip;
if (!asRoot) console.warn('network segmentation suites skipped: they need root (network namespaces, nftables); run npm test as root to include them');

/** Live: the segmented stack started by `stack up --segmented` (the suite fails when it is not). */
describeAsRoot('reachability matrix on the segmented stack', () => {
  let verdicts: CellVerdict[] = [];

  beforeAll(async () => {
    const r = await matrix({ config });
    verdicts = r.data.verdicts;
    const line = (v: CellVerdict) => `${v.passed ? 'PASS' : 'FAIL'} ${v.id.padEnd(32)} expected ${v.expected.padEnd(5)} observed ${v.observed.padEnd(11)} ${String(v.ms).padStart(5)} ms  ${v.detail}`;
    console.log(`Reachability matrix (expected vs observed)\n${verdicts.map(line).join('\n')}`);
  }, 120000);

  test('4 networks x 11 service ports, plus the host column', () => {
    expect(verdicts.filter((v) => v.from !== 'host')).toHaveLength(44);
    expect(verdicts.filter((v) => v.from === 'host')).toHaveLength(11);
  });

  test('every allowed flow completes its protocol exchange', () => {
    const failed = verdicts.filter((v) => v.expected === 'allow' && !v.passed).map((v) => `${v.id}: ${v.observed} ${v.detail}`);
    expect(failed).toEqual([]);
    // The exchanges are real: SELECT 1, PING, seal-status, Mongo ping, Prometheus text.
    expect(verdicts.find((v) => v.id === 'app/postgres/sql')!.detail).toBe('SELECT 1 -> 1');
    expect(verdicts.find((v) => v.id === 'app/mysql/sql')!.detail).toBe('SELECT 1 -> 1');
    expect(verdicts.find((v) => v.id === 'app/redis/client#3')!.detail).toBe('PING -> PONG');
    expect(verdicts.find((v) => v.id === 'data/vault/api')!.detail).toBe('seal-status -> 200, unsealed');
    expect(verdicts.find((v) => v.id === 'observability/mongodb/metrics')!.detail).toBe('GET /debug/metrics -> 200, Prometheus text');
  });

  test('every denied flow is refused or times out within the bound; none connects', () => {
    const denied = verdicts.filter((v) => v.expected === 'deny');
    expect(denied.length).toBe(21);
    expect(denied.filter((v) => !v.passed).map((v) => `${v.id}: ${v.observed} ${v.detail}`)).toEqual([]);
    for (const v of denied) expect(v.ms).toBeLessThan(DEFAULT_CONNECT_TIMEOUT_MS + 1000);
  });

  test('a leg the service has, on a port the policy does not open, is refused by the namespace firewall', () => {
    // app and observability both sit on mongodb's legs: the firewall, not routing, makes these two differ.
    expect(verdicts.find((v) => v.id === 'app/mongodb/metrics')).toMatchObject({ sameNetwork: true, observed: 'refused' });
    expect(verdicts.find((v) => v.id === 'observability/mongodb/wire')).toMatchObject({ sameNetwork: true, observed: 'refused' });
  });

  test('another network is not forwarded by the host: the probe times out', () => {
    expect(verdicts.find((v) => v.id === 'observability/vault/api')).toMatchObject({ sameNetwork: false, observed: 'timeout' });
    expect(verdicts.find((v) => v.id === 'vault/postgres/sql')).toMatchObject({ sameNetwork: false, observed: 'timeout' });
  });
});

/** A second, throwaway topology (no servers) next to the running one: overlap refusal, build, route guard, teardown. */
describeAsRoot('topology lifecycle (throwaway topology, port offset + 100)', () => {
  // Every registry service 32000 above its default port (far from the running stack's ports).
  const far = Object.fromEntries(Object.entries(DEFAULT_PORTS).map(([s, p]) => [s, p + 32000])) as LoadedConfig['ports'];
  const throwaway = (offset: number): LoadedConfig => ({ ...config, portOffset: offset, ports: far, stateRoot: mkdtempSync(path.join(os.tmpdir(), 'dsnet-')) });
  const links = async () => (JSON.parse((await runCommand('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname);
  const namespaces = async () => (JSON.parse((await runCommand('ip', ['-j', 'netns', 'list'])).stdout || '[]') as { name: string }[]).map((n) => n.name);

  test('subnets that overlap a route of the machine (here: the running stack) are refused before anything is created', async () => {
    const c = throwaway(config.portOffset + 50);
    await expect(segmentUp(c)).rejects.toMatchObject({ code: 'BAD_CONFIG', message: expect.stringMatching(/overlaps the machine's route 10\.213\.\d+\.0\/24 \(dev dsp\d+-\w+\); refusing/) });
    expect((await links()).filter((l) => l.startsWith(`dsp${c.portOffset}`))).toEqual([]);
    expect((await runCommand('nft', ['list', 'table', 'inet', `devstack_${c.portOffset}`])).code).not.toBe(0);
  });

  test('up builds it, down removes every namespace, veth, bridge and table, twice in a row', async () => {
    const c = throwaway(config.portOffset + 100);
    const plan = planTopology(policy, c);
    const built = await segmentUp(c);
    expect(built.created).toBe(true);
    expect(await namespaces()).toEqual(expect.arrayContaining(plan.namespaces.map((n) => n.name)));
    expect(await links()).toEqual(expect.arrayContaining([...plan.bridges.map((b) => b.name), ...plan.namespaces.flatMap((n) => n.legs.map((l) => l.hostVeth))]));
    const home = plan.namespaces.find((n) => n.owner === 'postgres')!.legs[0];
    await expect(assertRouteVia(home.address, [home.bridge])).resolves.toBe(home.bridge);

    const down = await segmentDown(c);
    expect(down.removed).toEqual(expect.arrayContaining([`nft table inet ${plan.table}`, `bridge ${plan.bridges[0].name}`, `netns ${plan.namespaces[0].name}`]));
    expect((await links()).filter((l) => l.startsWith(plan.tag))).toEqual([]);
    expect((await namespaces()).filter((n) => n.startsWith(`${plan.tag}-`))).toEqual([]);
    // With the topology gone the route would leave through the default route: the guard must refuse.
    await expect(assertRouteVia(home.address, [home.bridge])).rejects.toMatchObject({ code: 'ENVIRONMENT', message: expect.stringMatching(/not the project's own .*refusing to send anything there/) });
    expect((await segmentDown(c)).removed).toEqual([]);
  }, 60000);

  test("a topology another checkout left at this offset is found: stale when nothing runs in it, in use with the pids inside", async () => {
    const owner = throwaway(config.portOffset + 100);
    const plan = planTopology(policy, owner);
    await segmentUp(owner);
    try {
      // This checkout built it: not foreign.
      expect(await foreignTopology(owner)).toBeUndefined();
      // A second checkout at the same offset (its own state root, no state file) sees it as foreign.
      const other = { ...owner, stateRoot: mkdtempSync(path.join(os.tmpdir(), 'dsnet-')) };
      expect(await foreignTopology(other)).toEqual({ table: plan.table, namespaces: expect.arrayContaining(plan.namespaces.map((n) => n.name)), pids: [] });
      // A process inside one of its namespaces makes it in use.
      const ns = plan.namespaces[0].name;
      const sleeper = spawn('ip', ['netns', 'exec', ns, 'sleep', '30'], { stdio: 'ignore' });
      try {
        await new Promise((r) => setTimeout(r, 300));
        const inUse = await foreignTopology(other);
        expect(inUse?.pids.length).toBe(1);
      } finally {
        sleeper.kill('SIGKILL');
      }
    } finally {
      rmSync(stateFile(owner), { force: true });
      const down = await segmentDown(owner);
      expect(down.removed).toContain(`nft table inet ${plan.table}`);
    }
  }, 60000);

  test('down cleans a half-built topology with no state file (a crash before the first write)', async () => {
    const c = throwaway(config.portOffset + 100);
    const plan = planTopology(policy, c);
    await runCommand('ip', ['link', 'add', plan.bridges[1].name, 'type', 'bridge']);
    await runCommand('ip', ['netns', 'add', plan.namespaces[2].name]);
    const down = await segmentDown(c);
    expect(down.removed.sort()).toEqual([`bridge ${plan.bridges[1].name}`, `netns ${plan.namespaces[2].name}`].sort());
    expect((await links()).filter((l) => l.startsWith(plan.tag))).toEqual([]);
  });
});

/** The host's isolation does not rely on ip_forward: with forwarding switched on for our two bridges only, the nftables rule drops the packet. */
describeAsRoot('no forwarding between networks even with forwarding enabled', () => {
  const sysctl = (dev: string, v: number) => runCommand('sysctl', ['-qw', `net.ipv4.conf.${dev}.forwarding=${v}`]);
  /** Packets dropped by the host's isolate chain, all rules together. */
  const dropped = async (table: string): Promise<number> => {
    const out = JSON.parse((await runCommand('nft', ['-j', 'list', 'chain', 'inet', table, 'isolate'])).stdout) as { nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] };
    const counters = out.nftables.flatMap((e) => e.rule?.expr.filter((x) => x.counter).map((x) => x.counter!.packets) ?? []);
    if (counters.length !== 8) throw new Error(`expected 8 counted isolate rules (2 per bridge), found ${counters.length}`);
    return counters.reduce((a, b) => a + b, 0);
  };

  test('observability probe -> vault (another network): dropped by the isolate chain, counted', async () => {
    const plan = planTopology(policy, config);
    const probeNs = plan.namespaces.find((n) => n.kind === 'probe' && n.owner === 'observability')!;
    const vault = plan.namespaces.find((n) => n.owner === 'vault')!.legs[0];
    const from = probeNs.legs[0];
    await assertRouteVia(vault.address, [from.ifname], probeNs.name);
    await assertRouteVia(vault.address, [vault.bridge]);
    const before = await dropped(plan.table);
    try {
      await sysctl(from.bridge, 1);
      await sysctl(vault.bridge, 1);
      const req = { targets: [{ id: 'x', address: vault.address, port: config.ports.vault, protocol: 'vault-health' }], connectTimeoutMs: 1000, exchangeTimeoutMs: 2000, credentials: {} };
      const r = await runCommand('ip', ['netns', 'exec', probeNs.name, process.execPath, PROBE_SCRIPT], { input: JSON.stringify(req), timeoutMs: 20000 });
      expect(JSON.parse(r.stdout)[0]).toMatchObject({ outcome: 'timeout' });
    } finally {
      await sysctl(from.bridge, 0);
      await sysctl(vault.bridge, 0);
    }
    expect(await dropped(plan.table)).toBeGreaterThan(before);
  });
});
