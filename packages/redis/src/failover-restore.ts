import { writeFileSync } from 'node:fs';
import { DevstackError, isAlive, readPid, type Progress } from '@devstack/core';
import { clusterShape, redisNodeConfig, redisNodeConfigFile, redisPidName } from '@devstack/runtime';
import type { ClusterControl } from './failover-cluster';
import { migratingSlots } from './failover-probes';
import { infoField } from './failover-topology';

/** What the suite changes and must put back: settings read before the first fault. */
export interface Snapshot {
  /** cluster-require-full-coverage per port. */
  coverage: Map<number, string>;
  /** cluster-node-timeout per port (ms). */
  nodeTimeout: Map<number, number>;
  /** Master ports at the start, so roles can be handed back. */
  masters: number[];
}

export async function snapshot(ctl: ClusterControl): Promise<Snapshot> {
  const coverage = new Map<number, string>();
  const nodeTimeout = new Map<number, number>();
  for (const p of ctl.ports) {
    coverage.set(p, String(((await ctl.call(p, 'CONFIG', 'GET', 'cluster-require-full-coverage')) as string[])[1]));
    nodeTimeout.set(p, Number(((await ctl.call(p, 'CONFIG', 'GET', 'cluster-node-timeout')) as string[])[1]));
  }
  const { shards } = await ctl.shards();
  return { coverage, nodeTimeout, masters: shards.map((s) => s.masterPort) };
}

/** Problems that make the suite refuse to start (or that the restore could not fix). */
export async function healthProblems(ctl: ClusterControl): Promise<string[]> {
  const problems: string[] = [];
  for (const p of ctl.ports) if (!ctl.pid(p)) problems.push(`node :${p} has no live process (pid file ${ctl.layout.pid(redisPidName(ctl.indexOf(p)))})`);
  if (problems.length) return problems;
  for (const p of ctl.ports) {
    try {
      const shape = await clusterShape({ host: ctl.host, port: p }, ctl.password);
      for (const pr of shape.problems) problems.push(`:${p} sees ${pr}`);
    } catch (err) {
      problems.push(`:${p} does not answer: ${(err as Error).message}`);
    }
  }
  if (problems.length) return [...new Set(problems)];
  for (const p of ctl.ports) {
    const info = await ctl.info(p);
    if (infoField(info, 'role') === 'slave') {
      const sync = await ctl.replicaInSync(p);
      if (!sync.ok) problems.push(`replica not in sync: ${sync.detail}`);
    }
  }
  return problems;
}

/**
 * Put the cluster back to healthy 3+3, whatever state a failed or interrupted scenario left: resume
 * paused nodes, start dead ones, undo runtime settings and migrating slots, hand master roles back
 * to the nodes that held them at the start, and wait for health. Not abortable: it is the cleanup.
 */
export async function restoreCluster(ctl: ClusterControl, snap: Snapshot | undefined, nodeTimeoutMs: number, progress: Progress): Promise<string[]> {
  const actions: string[] = [];
  for (const p of ctl.ports) {
    const pid = readPid(ctl.layout.pid(redisPidName(ctl.indexOf(p))));
    if (pid && isAlive(pid)) {
      try {
        process.kill(pid, 'SIGCONT'); // harmless when running; required after an interrupted SIGSTOP
      } catch {
        /* gone meanwhile */
      }
    } else {
      progress(`restore: starting node :${p}`);
      await ctl.restart(p, nodeTimeoutMs);
      actions.push(`restarted :${p}`);
    }
  }
  for (const [slot, port] of migratingSlots) {
    await ctl.call(port, 'CLUSTER', 'SETSLOT', slot, 'STABLE').catch(() => undefined);
    migratingSlots.delete(slot);
    actions.push(`slot ${slot} set STABLE`);
  }
  if (snap) {
    for (const p of ctl.ports) {
      await ctl.call(p, 'CONFIG', 'SET', 'cluster-require-full-coverage', snap.coverage.get(p) ?? 'yes').catch(() => undefined);
      await ctl.call(p, 'CONFIG', 'SET', 'cluster-node-timeout', snap.nodeTimeout.get(p) ?? ctl.config.redis.nodeTimeoutMs).catch(() => undefined);
    }
  }
  // Restarted nodes got the suite's node timeout in their conf file: write the configured one back.
  const password = ctl.password;
  for (let i = 0; i < ctl.ports.length; i++) writeFileSync(redisNodeConfigFile(ctl.layout, ctl.ports[i]), redisNodeConfig(ctl.config, ctl.layout, i, password), { mode: 0o600 });
  await waitHealthy(ctl, 60000);
  if (snap) {
    for (const want of snap.masters) {
      const me = (await ctl.nodesOf(want)).find((n) => n.myself);
      if (me?.role !== 'replica') continue;
      progress(`restore: handing the master role back to :${want}`);
      await ctl.call(want, 'CLUSTER', 'FAILOVER');
      await ctl.until(async () => ((await ctl.nodesOf(want)).find((n) => n.myself)?.role === 'master' ? true : undefined), 15000, 50);
      actions.push(`:${want} master again`);
    }
    await waitHealthy(ctl, 60000);
  }
  return actions;
}

async function waitHealthy(ctl: ClusterControl, timeoutMs: number): Promise<void> {
  let last: string[] = [];
  const ok = await ctl.until(async () => {
    last = await healthProblems(ctl);
    return last.length === 0 ? true : undefined;
  }, timeoutMs, 250);
  if (!ok) throw new DevstackError('ENVIRONMENT', `Could not restore a healthy 3+3 Redis cluster: ${last.join('; ')}.`, { fix: 'Run: node packages/stack/dist/cli.js restart --service redis' });
}
