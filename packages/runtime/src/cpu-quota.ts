import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DevstackError, readPid, type LoadedConfig, type StackService } from '@devstack/core';
import { StackLayout } from './local/layout';
import { LOCAL_SERVICES } from './local/local-provider';

/**
 * A real, injected slowdown: a CPU quota on a server's processes through a cgroup of their own.
 * cgroup v1 (cpu.cfs_quota_us / cpu.cfs_period_us, these machines) or v2 (cpu.max). Children forked
 * later (PostgreSQL backends) inherit the cgroup, so the quota covers new connections too.
 */
export interface CpuQuota {
  readonly kind: 'cgroup v1' | 'cgroup v2';
  readonly dir: string;
  readonly pids: number[];
  /** The CFS period: 10 ms keeps each throttled stretch short (the default is 100 ms; the two were not compared). */
  readonly periodUs: number;
  /** Limit to this many CPUs (e.g. 0.8), or lift the limit (undefined). */
  limit(cpus: number | undefined): void;
  /** Move every process back to the parent cgroup and remove ours. */
  release(): void;
}

const PERIOD_US = 10_000;
const V1 = '/sys/fs/cgroup/cpu';
const V2_CANDIDATES = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];

function children(): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent; the name (field 2) may hold spaces, so split after ")".
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(ppid, [...(out.get(ppid) ?? []), Number(d)]);
    } catch {
      // The process exited while we looked.
    }
  }
  return out;
}

/** The pids and all their descendants. */
export function withDescendants(pids: number[]): number[] {
  const tree = children();
  const out = new Set<number>();
  const stack = [...pids];
  while (stack.length) {
    const p = stack.pop()!;
    if (out.has(p)) continue;
    out.add(p);
    stack.push(...(tree.get(p) ?? []));
  }
  return [...out];
}

/** Process ids of a local service (every node for Redis), with their descendants. */
export function localServicePids(config: LoadedConfig, service: StackService): number[] {
  const layout = new StackLayout(config);
  const svc = LOCAL_SERVICES[service as keyof typeof LOCAL_SERVICES];
  if (!svc) throw new DevstackError('UNSUPPORTED', `No local server for ${service}.`);
  const pids = svc.pidNames(config).map((n) => readPid(layout.pid(n))).filter((p): p is number => p !== undefined);
  if (!pids.length) throw new DevstackError('SERVICE_DOWN', `${service} is not running (no pid files under ${layout.run}).`, { fix: 'npx nx run stack:up' });
  return withDescendants(pids);
}

function v2Root(): string | undefined {
  return V2_CANDIDATES.find((d) => existsSync(path.join(d, 'cgroup.controllers')) && readFileSync(path.join(d, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu'));
}

/**
 * Cgroups named devstack-<backend>-<pid> whose calibrating process is gone (killed before its finally
 * block ran): their servers go back to the parent unthrottled and the cgroup is removed. Returns them.
 */
export function releaseOrphanQuotas(parent: string): string[] {
  const out: string[] = [];
  for (const d of existsSync(parent) ? readdirSync(parent) : []) {
    const m = /^devstack-[\w-]+-(\d+)$/.exec(d);
    if (!m || existsSync(`/proc/${m[1]}`)) continue;
    const dir = path.join(parent, d);
    try {
      writeFileSync(path.join(dir, existsSync(path.join(dir, 'cpu.max')) ? 'cpu.max' : 'cpu.cfs_quota_us'), existsSync(path.join(dir, 'cpu.max')) ? 'max' : '-1');
    } catch {
      // Not ours to write, or gone: moving the processes is what matters.
    }
    for (const p of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try {
        writeFileSync(path.join(parent, 'cgroup.procs'), p);
      } catch {
        // Exited meanwhile.
      }
    }
    try {
      rmdirSync(dir);
      out.push(dir);
    } catch {
      // Still busy; the limit is lifted.
    }
  }
  return out;
}

/** Put the processes in a cgroup of their own (no limit yet). Needs root; says so otherwise. */
export function createCpuQuota(name: string, pids: number[]): CpuQuota {
  const v1 = existsSync(path.join(V1, 'cpu.cfs_quota_us'));
  const v2 = v1 ? undefined : v2Root();
  if (!v1 && !v2) {
    throw new DevstackError('UNSUPPORTED', 'No cgroup CPU controller found (neither v1 /sys/fs/cgroup/cpu nor v2 cpu.max).', { fix: 'Run calibration where cgroups are mounted writable (root, or a delegated cgroup).' });
  }
  const parent = v1 ? V1 : v2!;
  const dir = path.join(parent, name);
  try {
    releaseOrphanQuotas(parent);
    mkdirSync(dir, { recursive: true });
    if (v2) writeFileSync(path.join(parent, 'cgroup.subtree_control'), '+cpu');
    for (const pid of pids) {
      try {
        writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
  } catch (cause) {
    throw new DevstackError('ENVIRONMENT', `Cannot create the cgroup ${dir}: ${(cause as Error).message}.`, { cause, fix: 'Calibration injects a CPU quota through cgroups: run it as root on a machine with a writable cgroup filesystem.' });
  }
  return {
    kind: v1 ? 'cgroup v1' : 'cgroup v2',
    dir,
    pids,
    periodUs: PERIOD_US,
    limit(cpus) {
      if (v1) {
        writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
        writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), cpus === undefined ? '-1' : String(Math.max(1000, Math.round(cpus * PERIOD_US))));
      } else {
        writeFileSync(path.join(dir, 'cpu.max'), cpus === undefined ? `max ${PERIOD_US}` : `${Math.max(1000, Math.round(cpus * PERIOD_US))} ${PERIOD_US}`);
      }
    },
    release() {
      try {
        this.limit(undefined);
      } catch {
        // Gone already.
      }
      const procs = existsSync(path.join(dir, 'cgroup.procs')) ? readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean) : [];
      for (const p of procs) {
        try {
          writeFileSync(path.join(parent, 'cgroup.procs'), p);
        } catch {
          // Exited meanwhile.
        }
      }
      try {
        rmdirSync(dir);
      } catch {
        // Still busy (a process was mid-fork); the quota is lifted, which is what matters.
      }
    },
  };
}
