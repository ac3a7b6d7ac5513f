import * as path from 'node:path';
import { loadConfig, parseProfileFile } from '@devstack/core';
import { readFileSync } from 'node:fs';
import { autoProfile } from '../src/auto-profile';
import { renderAutoProfile, resolveProfile } from '../src/profiles';
import { benchPlan } from '../src/bench';

const GiB = 1024 ** 3;
const values = (machine: { memoryBytes: number; cores: number }) => Object.fromEntries(autoProfile(machine).settings.map((s) => [s.name, s.value]));
const root = path.resolve(__dirname, '../../..');

describe('postgres profiles', () => {
  it('the dev profile file carries the issue\'s settings, each with a reason', () => {
    const settings = parseProfileFile(readFileSync(path.join(root, 'configs/postgres/dev.conf'), 'utf8'));
    expect(Object.fromEntries(settings.map((s) => [s.name, s.value]))).toEqual({
      shared_buffers: '512MB',
      work_mem: '16MB',
      effective_cache_size: '2GB',
      synchronous_commit: 'off',
      checkpoint_completion_target: '0.9',
    });
    expect(settings.every((s) => !s.reason.startsWith('(no reason'))).toBe(true);
    expect(settings.filter((s) => s.durability).map((s) => s.name)).toEqual(['synchronous_commit']);
  });

  it('the default profile sets nothing (stock PostgreSQL)', () => {
    expect(parseProfileFile(readFileSync(path.join(root, 'configs/postgres/default.conf'), 'utf8'))).toEqual([]);
  });

  it('auto on a small laptop (2 GiB, 1 core) hits the floors', () => {
    expect(values({ memoryBytes: 2 * GiB, cores: 1 })).toEqual({
      shared_buffers: '128MB',
      effective_cache_size: '384MB',
      maintenance_work_mem: '64MB',
      work_mem: '4MB',
      max_worker_processes: '8',
      max_parallel_workers: '1',
      max_parallel_workers_per_gather: '1',
      random_page_cost: '1.1',
      checkpoint_completion_target: '0.9',
    });
  });

  it('auto on 8 GiB, 4 cores follows the formula', () => {
    expect(values({ memoryBytes: 8 * GiB, cores: 4 })).toMatchObject({
      shared_buffers: '512MB', // 8 GiB x 0.25 x 0.25
      effective_cache_size: '1536MB', // 8 GiB x 0.25 x 0.75
      maintenance_work_mem: '128MB', // 2 GiB / 16
      work_mem: '5MB', // (2048 - 512) MB / 300
      max_parallel_workers: '4',
      max_parallel_workers_per_gather: '2',
    });
  });

  it('auto on a big server (256 GiB, 64 cores) hits the caps', () => {
    expect(values({ memoryBytes: 256 * GiB, cores: 64 })).toMatchObject({
      shared_buffers: '8192MB',
      effective_cache_size: '49152MB',
      maintenance_work_mem: '1024MB',
      work_mem: '64MB',
      max_worker_processes: '64',
      max_parallel_workers: '64',
      max_parallel_workers_per_gather: '4',
    });
  });

  it('auto keeps durability: no setting trades safety', () => {
    expect(autoProfile({ memoryBytes: 16 * GiB, cores: 8 }).settings.filter((s) => s.durability)).toEqual([]);
  });

  it('renders auto with the formula visible, and the file parses back to the same settings', () => {
    const r = renderAutoProfile({ memoryBytes: 8 * GiB, cores: 4 });
    expect(r.text).toContain('# Formula: auto profile formula (RAM 8.0 GiB, 4 cores; PostgreSQL budget = RAM x 0.25 = 2.0 GiB)');
    expect(r.text).toContain('#   shared_buffers = clamp(RAM 8.0 GiB x 0.25 x 0.25, 128MB, 8GB) -> 512MB');
    expect(parseProfileFile(r.text)).toEqual(r.settings);
  });

  it('an unknown profile is BAD_INPUT naming the ones that exist', () => {
    const config = loadConfig({ root, env: {} });
    expect(() => resolveProfile(config, 'turbo')).toThrow(expect.objectContaining({ code: 'BAD_INPUT', fix: expect.stringContaining('--profile default|dev|auto') }));
  });
});

describe('bench plan', () => {
  it('quick mode is seconds long', () => {
    expect(benchPlan({ quick: true })).toMatchObject({ scale: 1, clients: 2, duration: 3, probeDuration: 2, workloads: ['tpcb-like', 'select-only'] });
  });
  it('refuses unknown workloads and non-positive sizes', () => {
    expect(() => benchPlan({ workloads: ['tpcc'] })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => benchPlan({ clients: 0 })).toThrow('--clients must be a positive integer; got 0.');
  });
});
