import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pointReadCpu, pointReadCpuGroups } from '../src/bench';

const trial = (reads: number, cpuSeconds: Record<string, number>, wallSeconds = 3) => ({ pointRead: { latency: { count: reads } }, pointReadCpu: { cpuSeconds, wallSeconds } });

describe('CPU per point read', () => {
  it('divides the CPU of each process by the reads over all trials, and derives the CPU ceiling', () => {
    // Two trials, 6,000 reads in 6 s: 1,000 reads/s.
    const out = pointReadCpu([trial(2000, { client: 0.6, server: 0.8, backend: 0.2 }), trial(4000, { client: 1.2, server: 1.6, backend: 0.4 })], 'FerretDB', 2)!;
    expect(out.data.usPerRead).toEqual({ client: 300, server: 400, backend: 100 });
    expect(out.data.totalUsPerRead).toBe(800);
    // 2 cores / 800 µs per read
    expect(out.data.ceilingReadsPerSec).toBe(2500);
    expect(out.data.readsPerSec).toBe(1000);
    expect(out.table.rows).toEqual([
      ['bench client (Node driver, this process)', 300, '300 / 300', 30],
      ['FerretDB server', 400, '400 / 400', 40],
      ["FerretDB's PostgreSQL", 100, '100 / 100', 10],
      ['total', 800, '800 / 800', 80],
    ]);
    expect(out.note).toContain('800 µs of CPU per read');
    expect(out.note).toContain('cap at about 2500 reads/s, against 1000 measured');
  });

  it('names the Go probe as the client when it ran the reads', () => {
    const out = pointReadCpu([trial(3000, { client: 0.24, server: 0.36, backend: 0.15 })], 'FerretDB', 2, 'go')!;
    expect(out.data.usPerRead).toEqual({ client: 80, server: 120, backend: 50 });
    expect(out.table.title).toMatch(/^CPU per point read \(Go driver\), by process \(the probe: its getrusage; the servers: \/proc utime\+stime/);
    expect(out.table.rows[0]).toEqual(['bench client (Go driver, mongo-pointread)', 80, '80', 8]);
    expect(out.note).toMatch(/^point reads \(Go driver\): 250 µs of CPU per read on this machine \(bench client \(Go driver, mongo-pointread\) 80, FerretDB server 120, FerretDB's PostgreSQL 50\); 2 core\(s\) fully busy on the read path would cap at about 8000 reads\/s, against 1000 measured$/);
  });

  it('has nothing to say without measured trials or reads', () => {
    expect(pointReadCpu([], 'FerretDB', 2)).toBeUndefined();
    expect(pointReadCpu([{ pointRead: { latency: { count: 100 } } }], 'FerretDB', 2)).toBeUndefined();
    expect(pointReadCpu([trial(0, { client: 0.1 })], 'FerretDB', 2)).toBeUndefined();
  });

  it('measures only a local stack with a running server; FerretDB\'s PostgreSQL only when it is the storage', () => {
    expect(pointReadCpuGroups('compose', '/nonexistent')).toBeUndefined();
    expect(pointReadCpuGroups('local', '/nonexistent')).toBeUndefined();
    const root = mkdtempSync(path.join(os.tmpdir(), 'point-read-cpu-'));
    mkdirSync(path.join(root, 'run'));
    writeFileSync(path.join(root, 'run', 'mongodb.pid'), '4001\n');
    writeFileSync(path.join(root, 'run', 'mongodb-pg.pid'), '4002\n');
    writeFileSync(path.join(root, 'run', 'postgres.pid'), '4003\n');
    expect(pointReadCpuGroups('local', root, 'postgresql')).toEqual({ client: [process.pid], server: [4001], backend: [4002] });
    expect(pointReadCpuGroups('local', root, 'sqlite')).toEqual({ client: [process.pid], server: [4001] });
    expect(pointReadCpuGroups('compose', root, 'postgresql')).toBeUndefined();
  });
});
