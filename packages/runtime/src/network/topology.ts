import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type LoadedConfig, DevstackError, runCommand, silentProgress, type Progress } from '@devstack/core';
import { assertNoOverlap, assertRouteVia } from './routes';
import { hostRuleset, namespaceRuleset, planTopology, type TopologyPlan } from './plan';
import { loadPolicy } from './policy';

/** What this stack created, written before each step so `down` can undo a half-built topology. */
export interface NetworkState {
  table?: string;
  bridges: string[];
  veths: string[];
  namespaces: string[];
  /** service -> namespace, read by the launcher; set only once the whole topology is up. */
  services: Record<string, string>;
  ready: boolean;
  createdAt: string;
}

export const stateFile = (config: Pick<LoadedConfig, 'stateRoot'>) => path.join(config.stateRoot, 'network', 'state.json');

export function readNetworkState(config: Pick<LoadedConfig, 'stateRoot'>): NetworkState | undefined {
  const file = stateFile(config);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as NetworkState;
  } catch {
    return undefined;
  }
}

function saveState(config: LoadedConfig, state: NetworkState): void {
  mkdirSync(path.dirname(stateFile(config)), { recursive: true });
  writeFileSync(stateFile(config), `${JSON.stringify(state, null, 2)}\n`);
}

async function sh(cmd: string, args: string[], input?: string): Promise<string> {
  const r = await runCommand(cmd, args, { timeoutMs: 20000, input });
  if (r.code !== 0) throw new DevstackError('ENVIRONMENT', `${cmd} ${args.join(' ')} failed: ${r.stderr.trim() || r.stdout.trim()}`, { fix: 'Segmentation needs root (CAP_NET_ADMIN), iproute2 and nftables.' });
  return r.stdout;
}

export function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return;
  throw new DevstackError('ENVIRONMENT', 'The segmented stack creates network namespaces, bridges and nftables rules: it needs root.', {
    fix: 'Run `stack up --segmented` as root (CI does), or start the stack without --segmented.',
  });
}

/** Build namespaces, bridges, veths and rules from the policy. Idempotent: a ready topology is kept as it is. */
export async function segmentUp(config: LoadedConfig, progress: Progress = silentProgress): Promise<{ plan: TopologyPlan; created: boolean; durationMs: number }> {
  const t0 = Date.now();
  requireRoot();
  const policy = loadPolicy(config.root);
  const plan = planTopology(policy, config);
  const existing = readNetworkState(config);
  if (existing?.ready && (await namespacesExist(existing.namespaces))) return { plan, created: false, durationMs: Date.now() - t0 };
  // Leftovers of a failed run go first, so every name below is ours and new.
  await segmentDown(config, progress);
  await assertNoOverlap(plan);
  const state: NetworkState = { bridges: [], veths: [], namespaces: [], services: {}, ready: false, createdAt: new Date().toISOString() };
  try {
    progress(`network: nftables table inet ${plan.table} (publish ports, no forwarding between networks)`);
    state.table = plan.table;
    saveState(config, state);
    await sh('nft', ['-f', '-'], hostRuleset(plan));
    for (const b of plan.bridges) {
      state.bridges.push(b.name);
      saveState(config, state);
      await sh('ip', ['link', 'add', b.name, 'type', 'bridge']);
      await sh('ip', ['addr', 'add', `${b.gateway}/24`, 'dev', b.name]);
      // Lets published (127.0.0.1) traffic leave through this bridge after DNAT; applies to our bridge only.
      await sh('sysctl', ['-qw', `net.ipv4.conf.${b.name}.route_localnet=1`]);
      await sh('ip', ['link', 'set', b.name, 'up']);
    }
    progress(`network: ${plan.namespaces.length} namespaces (${plan.namespaces.map((n) => n.name).join(', ')})`);
    for (const ns of plan.namespaces) {
      state.namespaces.push(ns.name);
      saveState(config, state);
      await sh('ip', ['netns', 'add', ns.name]);
      await sh('ip', ['-n', ns.name, 'link', 'set', 'lo', 'up']);
      for (const l of ns.legs) {
        state.veths.push(l.hostVeth);
        saveState(config, state);
        await sh('ip', ['link', 'add', l.hostVeth, 'type', 'veth', 'peer', 'name', l.ifname, 'netns', ns.name]);
        await sh('ip', ['link', 'set', l.hostVeth, 'master', l.bridge, 'up']);
        await sh('ip', ['-n', ns.name, 'addr', 'add', `${l.address}/24`, 'dev', l.ifname]);
        await sh('ip', ['-n', ns.name, 'link', 'set', l.ifname, 'up']);
      }
      if (ns.kind === 'probe') {
        // Traffic to other networks goes to the host, which must drop it: that is what the matrix tests.
        await sh('ip', ['-n', ns.name, 'route', 'add', 'default', 'via', ns.legs[0].gateway, 'dev', ns.legs[0].ifname]);
      } else {
        await sh('ip', ['netns', 'exec', ns.name, 'sysctl', '-qw', 'net.ipv4.ip_forward=0', 'net.ipv4.conf.all.route_localnet=1', ...ns.legs.map((l) => `net.ipv4.conf.${l.ifname}.route_localnet=1`)]);
        await sh('ip', ['netns', 'exec', ns.name, 'nft', '-f', '-'], namespaceRuleset(plan, policy, ns, config));
      }
    }
    for (const ns of plan.namespaces.filter((n) => n.kind === 'service')) await assertRouteVia(ns.legs[0].address, [ns.legs[0].bridge]);
    state.services = Object.fromEntries(plan.namespaces.filter((n) => n.kind === 'service').map((n) => [n.owner, n.name]));
    state.ready = true;
    saveState(config, state);
  } catch (err) {
    progress('network: building the topology failed; removing what was created');
    await segmentDown(config, progress).catch(() => undefined);
    throw err;
  }
  return { plan, created: true, durationMs: Date.now() - t0 };
}

async function namespacesExist(names: string[]): Promise<boolean> {
  const out = await runCommand('ip', ['-j', 'netns', 'list'], { timeoutMs: 10000 });
  const have = new Set((JSON.parse(out.stdout || '[]') as { name: string }[]).map((n) => n.name));
  return names.every((n) => have.has(n));
}

/**
 * A segmented topology at this port offset that this checkout's state file does not know: left by
 * another checkout (a deleted clone, CI) or a crash. Its nftables table redirects this offset's
 * published ports (127.0.0.1:<port>) into namespaces, so a plain stack here cannot be reached.
 * `pids` are the processes still running inside those namespaces (empty: a stale leftover).
 */
export async function foreignTopology(config: LoadedConfig): Promise<{ table?: string; namespaces: string[]; pids: number[] } | undefined> {
  if (readNetworkState(config)) return undefined;
  const table = `devstack_${config.portOffset}`;
  const hasTable = (await runCommand('nft', ['list', 'table', 'inet', table], { timeoutMs: 10000 }).catch(() => ({ code: 1 }))).code === 0;
  const list = await runCommand('ip', ['-j', 'netns', 'list'], { timeoutMs: 10000 }).catch(() => ({ stdout: '[]' }));
  const namespaces = (JSON.parse(list.stdout || '[]') as { name: string }[]).map((n) => n.name).filter((n) => n.startsWith(`dsp${config.portOffset}-`));
  if (!hasTable && !namespaces.length) return undefined;
  const pids: number[] = [];
  for (const ns of namespaces) {
    const r = await runCommand('ip', ['netns', 'pids', ns], { timeoutMs: 10000 }).catch(() => ({ stdout: '' }));
    pids.push(...r.stdout.split(/\s+/).filter(Boolean).map(Number));
  }
  return { table: hasTable ? table : undefined, namespaces, pids };
}

/**
 * Remove every namespace, veth, bridge and table this stack made: those in the state file plus every
 * name the plan would use (a crash can happen before the state file is written). Idempotent.
 */
export async function segmentDown(config: LoadedConfig, progress: Progress = silentProgress): Promise<{ removed: string[] }> {
  const state = readNetworkState(config);
  let planned: Pick<NetworkState, 'bridges' | 'veths' | 'namespaces' | 'table'> = { bridges: [], veths: [], namespaces: [] };
  try {
    const plan = planTopology(loadPolicy(config.root), config);
    planned = { table: plan.table, bridges: plan.bridges.map((b) => b.name), namespaces: plan.namespaces.map((n) => n.name), veths: plan.namespaces.flatMap((n) => n.legs.map((l) => l.hostVeth)) };
  } catch {
    /* a broken policy must not keep us from cleaning up what the state file lists */
  }
  const uniq = (a: string[] = [], b: string[] = []) => [...new Set([...a, ...b])];
  const removed: string[] = [];
  const links = new Set((JSON.parse((await runCommand('ip', ['-j', 'link', 'show'], { timeoutMs: 10000 })).stdout || '[]') as { ifname: string }[]).map((l) => l.ifname));
  const nsList = new Set((JSON.parse((await runCommand('ip', ['-j', 'netns', 'list'], { timeoutMs: 10000 })).stdout || '[]') as { name: string }[]).map((n) => n.name));
  const prefix = `dsp${config.portOffset}`;
  for (const v of uniq(state?.veths, planned.veths).filter((v) => v.startsWith(prefix) && links.has(v))) {
    await runCommand('ip', ['link', 'del', v], { timeoutMs: 10000 });
    removed.push(`veth ${v}`);
  }
  for (const n of uniq(state?.namespaces, planned.namespaces).filter((n) => n.startsWith(`${prefix}-`) && nsList.has(n))) {
    await runCommand('ip', ['netns', 'del', n], { timeoutMs: 10000 });
    removed.push(`netns ${n}`);
  }
  for (const b of uniq(state?.bridges, planned.bridges).filter((b) => b.startsWith(`${prefix}-`) && links.has(b))) {
    await runCommand('ip', ['link', 'del', b], { timeoutMs: 10000 });
    removed.push(`bridge ${b}`);
  }
  for (const t of uniq(state?.table ? [state.table] : [], planned.table ? [planned.table] : [])) {
    if ((await runCommand('nft', ['list', 'table', 'inet', t], { timeoutMs: 10000 })).code === 0) {
      await sh('nft', ['delete', 'table', 'inet', t]);
      removed.push(`nft table inet ${t}`);
    }
  }
  if (removed.length) progress(`network: removed ${removed.join(', ')}`);
  rmSync(stateFile(config), { force: true });
  return { removed };
}
