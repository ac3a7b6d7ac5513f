import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { loadConfig, parseProfileFile } from '@devstack/core';
import { autoProfile } from '../src/auto-profile';
import { renderAutoProfile, resolveProfile } from '../src/profiles';
import { benchPlan } from '../src/bench';

const GiB = 1024 ** 3;
const values = (machine: { memoryBytes: number; cores: number }) => Object.fromEntries(autoProfile(machine).settings.map((s) => [s.name, s.value]));
const root = path.resolve(__dirname, '../../..');

describe('mysql profiles', () => {
  it('the dev profile file carries the issue\'s settings, each with a reason', () => {
    const config = loadConfig({ root, env: {} });
    const dev = resolveProfile(config, 'dev');
    expect(Object.fromEntries(dev.settings.map((s) => [s.name, s.value]))).toEqual({
      innodb_buffer_pool_size: '512M',
      innodb_flush_log_at_trx_commit: '2',
      innodb_log_file_size: '128M',
      max_connections: '200',
    });
    expect(dev.settings.every((s) => !s.reason.startsWith('(no reason'))).toBe(true);
    expect(dev.settings.filter((s) => s.durability).map((s) => s.name)).toEqual(['innodb_flush_log_at_trx_commit']);
  });

  it('the default profile sets nothing (stock MariaDB)', () => {
    expect(parseProfileFile(readFileSync(path.join(root, 'configs/mysql/default.cnf'), 'utf8'))).toEqual([]);
  });

  it('auto on 1 GiB, 1 core hits the floors', () => {
    expect(values({ memoryBytes: 1 * GiB, cores: 1 })).toEqual({
      innodb_buffer_pool_size: '128M',
      innodb_log_file_size: '48M',
      tmp_table_size: '16M',
      max_heap_table_size: '16M',
      innodb_read_io_threads: '4',
      innodb_write_io_threads: '4',
    });
  });

  it('auto on 2 GiB rounds the pool down to whole 128M chunks', () => {
    expect(values({ memoryBytes: 2 * GiB, cores: 1 })).toMatchObject({ innodb_buffer_pool_size: '256M', innodb_log_file_size: '64M' });
    // 3 GiB: budget 768M, half is 384M = 3 chunks.
    expect(values({ memoryBytes: 3 * GiB, cores: 2 })).toMatchObject({ innodb_buffer_pool_size: '384M', innodb_log_file_size: '96M' });
  });

  it('auto on 8 GiB, 4 cores follows the formula', () => {
    expect(values({ memoryBytes: 8 * GiB, cores: 4 })).toEqual({
      innodb_buffer_pool_size: '1024M',
      innodb_log_file_size: '256M',
      tmp_table_size: '32M',
      max_heap_table_size: '32M',
      innodb_read_io_threads: '4',
      innodb_write_io_threads: '4',
    });
  });

  it('auto on 256 GiB, 64 cores hits the caps', () => {
    expect(values({ memoryBytes: 256 * GiB, cores: 64 })).toMatchObject({
      innodb_buffer_pool_size: '32768M',
      innodb_log_file_size: '256M',
      tmp_table_size: '64M',
      innodb_read_io_threads: '16',
    });
  });

  it('auto keeps full durability (innodb_flush_log_at_trx_commit untouched)', () => {
    const auto = autoProfile({ memoryBytes: 16 * GiB, cores: 8 });
    expect(auto.settings.filter((s) => s.durability)).toEqual([]);
    expect(auto.settings.map((s) => s.name)).not.toContain('innodb_flush_log_at_trx_commit');
  });

  it('renders auto as a [mysqld] file with the formula visible, parsing back to the same settings', () => {
    const r = renderAutoProfile({ memoryBytes: 8 * GiB, cores: 4 });
    expect(r.text).toContain('\n[mysqld]\n');
    expect(r.text).toContain('#   innodb_buffer_pool_size = max(128M, floor(RAM 8.0 GiB x 0.25 x 0.5 / 128M) x 128M) -> 1024M');
    expect(parseProfileFile(r.text)).toEqual(r.settings);
  });
});

describe('bench plan', () => {
  it('quick mode is seconds long and runs all three OLTP workloads', () => {
    expect(benchPlan({ quick: true })).toMatchObject({ tables: 2, rows: 10000, threads: 2, duration: 3, workloads: ['oltp_read_write', 'oltp_read_only', 'oltp_write_only'] });
  });
  it('refuses unknown workloads', () => {
    expect(() => benchPlan({ workloads: ['oltp_insert'] })).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });
});
