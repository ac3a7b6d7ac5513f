import { readdirSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readPid } from '@devstack/core';

/** CPU and memory of one stack process group (a pid file's process and its children), over a run. */
export interface ResourceUsage {
  name: string;
  pids: number;
  /** Average and peak CPU, percent of one core (200% = both cores of a 2-core machine). */
  cpuAvgPct: number;
  cpuMaxPct: number;
  /** Peak resident memory, MiB, summed over the group. */
  rssMaxMiB: number;
  samples: number;
}

const TICKS = 100; // USER_HZ: 100 on every Linux we run on (sysconf(_SC_CLK_TCK))

interface ProcStat {
  ppid: number;
  ticks: number;
}

async function readStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name "(...)": state ppid ... utime(14) stime(15) counted from 1.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return undefined;
  }
}

async function rssKiB(pid: number): Promise<number> {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Pid files of the stack (.devstack/run/*.pid), grouped: the six Redis nodes become one "redis", a
 * local mongod is "mongodb" like FerretDB, and FerretDB's own PostgreSQL stays "mongodb-pg".
 */
export function stackPids(stateRoot: string): Map<string, number[]> {
  const dir = path.join(stateRoot, 'run');
  const groups = new Map<string, number[]>();
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.pid'));
  } catch {
    return groups;
  }
  for (const f of files) {
    const pid = readPid(path.join(dir, f));
    if (!pid) continue;
    const base = f.replace(/\.pid$/, '');
    const name = base.startsWith('redis') ? 'redis' : base === 'mongod' ? 'mongodb' : base;
    const list = groups.get(name) ?? [];
    if (!list.includes(pid)) list.push(pid);
    groups.set(name, list);
  }
  return groups;
}

/** Children of a process: /proc/<pid>/task/<tid>/children of each of its threads. */
async function childrenOf(pid: number): Promise<number[]> {
  let tids: string[] = [];
  try {
    tids = await readdir(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const lists = await Promise.all(tids.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')));
  return lists.flatMap((l) => l.split(' ').filter(Boolean).map(Number));
}

/** Every descendant of the roots (PostgreSQL backends, for one), walking children files only. */
async function withDescendants(roots: number[]): Promise<number[]> {
  const out = new Set<number>();
  let level = roots;
  while (level.length) {
    const next: number[] = [];
    for (const p of level) if (!out.has(p)) out.add(p);
    for (const kids of await Promise.all(level.map(childrenOf))) for (const k of kids) if (!out.has(k)) next.push(k);
    level = next;
  }
  return [...out];
}

/**
 * Samples every `intervalMs` until stop(); CPU from utime+stime deltas, memory from VmRSS. All reads
 * are asynchronous: the sampler shares its process with the load generator, and a synchronous scan
 * of /proc would stall the generator's event loop (an open-loop engine would rightly count the stall).
 */
export class ResourceSampler {
  private timer?: NodeJS.Timeout;
  private readonly groups: Map<string, number[]>;
  private readonly last = new Map<string, { ticks: Map<number, number>; at: number }>();
  private readonly acc = new Map<string, { cpu: number[]; rss: number; pids: number }>();

  constructor(stateRoot: string, private readonly intervalMs = 500) {
    this.groups = stackPids(stateRoot);
  }

  private busy?: Promise<void>;

  private async sample(): Promise<void> {
    const measured = await Promise.all(
      [...this.groups].map(async ([name, roots]) => {
        const pids = await withDescendants(roots);
        const stats = await Promise.all(pids.map(async (p) => [p, (await readStat(p))?.ticks, await rssKiB(p)] as const));
        return [name, stats] as const;
      }),
    );
    const now = performance.now();
    for (const [name, stats] of measured) {
      const ticks = new Map<number, number>();
      let rss = 0;
      for (const [p, t, kib] of stats) {
        if (t === undefined) continue;
        ticks.set(p, t);
        rss += kib;
      }
      const a = this.acc.get(name) ?? { cpu: [], rss: 0, pids: 0 };
      const prev = this.last.get(name);
      if (prev && now > prev.at) {
        // Per-pid deltas: a backend that exits between samples must not make the group's sum go down.
        // (Its last slice is lost: CPU of short-lived children is slightly under-counted.)
        a.cpu.push(((ticksDelta(prev.ticks, ticks) / TICKS) * 100) / ((now - prev.at) / 1000));
      }
      a.rss = Math.max(a.rss, rss);
      a.pids = Math.max(a.pids, ticks.size);
      this.acc.set(name, a);
      this.last.set(name, { ticks, at: now });
    }
  }

  private tick(): void {
    // A slow scan is skipped over, never stacked.
    if (!this.busy) this.busy = this.sample().finally(() => (this.busy = undefined));
  }

  start(): this {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<ResourceUsage[]> {
    if (this.timer) clearInterval(this.timer);
    await this.busy;
    await this.sample();
    return [...this.acc.entries()]
      .map(([name, a]) => ({
        name,
        pids: a.pids,
        cpuAvgPct: a.cpu.length ? Math.round((a.cpu.reduce((x, y) => x + y, 0) / a.cpu.length) * 10) / 10 : 0,
        cpuMaxPct: a.cpu.length ? Math.round(Math.max(...a.cpu) * 10) / 10 : 0,
        rssMaxMiB: Math.round((a.rss / 1024) * 10) / 10,
        samples: a.cpu.length,
      }))
      .sort((x, y) => x.name.localeCompare(y.name));
  }
}

/** CPU ticks of every process in the groups (roots and their descendants), by pid. */
async function groupTicks(groups: Record<string, number[]>): Promise<Record<string, Map<number, number>>> {
  const measured = await Promise.all(
    Object.entries(groups).map(async ([name, roots]) => {
      const pids = await withDescendants(roots);
      const ticks = new Map<number, number>();
      for (const [p, t] of await Promise.all(pids.map(async (p) => [p, (await readStat(p))?.ticks] as const))) if (t !== undefined) ticks.set(p, t);
      return [name, ticks] as const;
    }),
  );
  // In the groups' own order (not the order the reads finished in).
  return Object.fromEntries(measured);
}

/**
 * CPU seconds used by process groups between start() and stop(): what a request costs each process
 * on its path (divide by the requests done in between). Per-pid deltas; a process born in between
 * counts whole (all its CPU is inside the window); one that exits in between loses its share, so the
 * figure can under-count, never over-count. Resolution: 10 ms of CPU per process (USER_HZ 100).
 */
export class CpuMeter {
  private constructor(
    private readonly groups: Record<string, number[]>,
    private readonly before: Record<string, Map<number, number>>,
    private readonly t0: number,
  ) {}

  static async start(groups: Record<string, number[]>): Promise<CpuMeter> {
    const before = await groupTicks(groups);
    return new CpuMeter(groups, before, performance.now());
  }

  /** CPU seconds per group, and the wall-clock seconds of the window. */
  async stop(): Promise<{ cpuSeconds: Record<string, number>; wallSeconds: number }> {
    const after = await groupTicks(this.groups);
    const wallSeconds = (performance.now() - this.t0) / 1000;
    return { cpuSeconds: cpuDelta(this.before, after), wallSeconds };
  }
}

/** Per group: the sum over its pids of (ticks after - ticks before), in seconds; a pid born in between had 0 before. */
export function cpuDelta(before: Record<string, Map<number, number>>, after: Record<string, Map<number, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, ticks]) => [name, ticksDelta(before[name], ticks) / TICKS]));
}

/** CPU ticks used between two readings of the same processes, pid by pid (a pid new in `after` counts from 0; none counts below 0). */
function ticksDelta(before: Map<number, number> | undefined, after: Map<number, number>): number {
  let delta = 0;
  for (const [p, t] of after) delta += Math.max(0, t - (before?.get(p) ?? 0));
  return delta;
}
