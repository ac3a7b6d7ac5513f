import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CpuMeter, cpuDelta, ResourceSampler, stackPids } from '../src/resources';

describe('cpuDelta', () => {
  it('sums per-pid tick deltas in seconds, counting a pid born in between whole', () => {
    const before = { server: new Map([[10, 500], [11, 200]]) };
    const after = { server: new Map([[10, 650], [11, 230], [12, 40]]) };
    // (150 + 30 + 40) ticks at USER_HZ 100
    expect(cpuDelta(before, after)).toEqual({ server: 2.2 });
  });

  it('never goes negative for a reused pid, and a pid gone by the end adds nothing', () => {
    const before = { g: new Map([[20, 900], [21, 100]]) };
    const after = { g: new Map([[20, 5]]) };
    expect(cpuDelta(before, after)).toEqual({ g: 0 });
  });
});

describe('stackPids', () => {
  it('groups the pid files: Redis nodes as one, mongod as mongodb, FerretDB\'s PostgreSQL apart', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'stackpids-'));
    mkdirSync(path.join(root, 'run'));
    const files: Record<string, number> = { 'redis-7000.pid': 101, 'redis-7001.pid': 102, 'mongod.pid': 103, 'mongodb-pg.pid': 104, 'postgres.pid': 105 };
    for (const [f, pid] of Object.entries(files)) writeFileSync(path.join(root, 'run', f), `${pid}\n`);
    const groups = stackPids(root);
    expect(Object.fromEntries([...groups].map(([k, v]) => [k, [...v].sort()]))).toEqual({ redis: [101, 102], mongodb: [103], 'mongodb-pg': [104], postgres: [105] });
  });
});

describe('CpuMeter on real processes', () => {
  it('counts a busy process tree (a spinning grandchild) at about its wall time, an idle process at about zero', async () => {
    const parent = spawn(process.execPath, ['-e', "require('child_process').spawn(process.execPath, ['-e', 'const e = Date.now() + 3000; while (Date.now() < e) {}'], { stdio: 'ignore' }); setTimeout(() => {}, 3000)"], { stdio: 'ignore' });
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 3000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 400)); // node's own start-up stays outside the window
      const meter = await CpuMeter.start({ tree: [parent.pid!], idle: [idle.pid!] });
      await new Promise((r) => setTimeout(r, 800));
      const { cpuSeconds, wallSeconds } = await meter.stop();
      expect(wallSeconds).toBeGreaterThan(0.7);
      // One core spinning in the grandchild: CPU close to wall time (a shared 2-core machine may steal some).
      expect(cpuSeconds.tree).toBeGreaterThan(wallSeconds * 0.4);
      expect(cpuSeconds.tree).toBeLessThan(wallSeconds * 1.5);
      expect(cpuSeconds.idle).toBeLessThan(0.1);
    } finally {
      parent.kill();
      idle.kill();
    }
  });
});

describe('ResourceSampler on real processes', () => {
  it('reports a spinning process near 100% of a core and an idle one near 0%, by pid-file group', async () => {
    const busy = spawn(process.execPath, ['-e', 'const e = Date.now() + 4000; while (Date.now() < e) {}'], { stdio: 'ignore' });
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 4000)'], { stdio: 'ignore' });
    const root = mkdtempSync(path.join(os.tmpdir(), 'sampler-'));
    mkdirSync(path.join(root, 'run'));
    writeFileSync(path.join(root, 'run', 'busy.pid'), `${busy.pid}\n`);
    writeFileSync(path.join(root, 'run', 'idle.pid'), `${idle.pid}\n`);
    try {
      await new Promise((r) => setTimeout(r, 400));
      const sampler = new ResourceSampler(root, 200).start();
      await new Promise((r) => setTimeout(r, 1500));
      const usage = Object.fromEntries((await sampler.stop()).map((u) => [u.name, u]));
      expect(Object.keys(usage)).toEqual(['busy', 'idle']);
      expect(usage.busy.samples).toBeGreaterThanOrEqual(4);
      expect(usage.busy.pids).toBe(1);
      // One core spinning; a shared 2-core machine (npm test runs jobs side by side) may give it much less.
      expect(usage.busy.cpuAvgPct).toBeGreaterThan(20);
      expect(usage.busy.cpuAvgPct).toBeLessThan(150);
      expect(usage.idle.cpuAvgPct).toBeLessThan(10);
      expect(usage.idle.rssMaxMiB).toBeGreaterThan(5);
    } finally {
      busy.kill();
      idle.kill();
    }
  });
});
