import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { releaseOrphanQuotas } from '../src/cpu-quota';

/** A directory laid out like cgroup v1's cpu controller (plain files stand in for the kernel's). */
function fakeCgroupRoot() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cgroup-'));
  writeFileSync(path.join(root, 'cgroup.procs'), '');
  const group = (name: string, procs: string[]) => {
    const dir = path.join(root, name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'cgroup.procs'), procs.join('\n'));
    writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), '41000');
    return dir;
  };
  return { root, group };
}

describe('releaseOrphanQuotas', () => {
  it("lifts the quota of a calibration's cgroup whose process is gone and moves its servers back", () => {
    const { root, group } = fakeCgroupRoot();
    // pid 2^22 + 1 is above Linux's pid_max: never a live process.
    const orphan = group(`devstack-redis-${2 ** 22 + 1}`, ['2315']);
    releaseOrphanQuotas(root);
    expect(readFileSync(path.join(orphan, 'cpu.cfs_quota_us'), 'utf8')).toBe('-1');
    expect(readFileSync(path.join(root, 'cgroup.procs'), 'utf8')).toBe('2315');
  });

  it('leaves a live calibration and cgroups that are not ours alone', () => {
    const { root, group } = fakeCgroupRoot();
    const live = group(`devstack-postgres-${process.pid}`, ['77']);
    const other = group('system.slice', ['1']);
    expect(releaseOrphanQuotas(root)).toEqual([]);
    expect(readFileSync(path.join(live, 'cpu.cfs_quota_us'), 'utf8')).toBe('41000');
    expect(readFileSync(path.join(other, 'cpu.cfs_quota_us'), 'utf8')).toBe('41000');
    expect(readFileSync(path.join(root, 'cgroup.procs'), 'utf8')).toBe('');
  });
});
