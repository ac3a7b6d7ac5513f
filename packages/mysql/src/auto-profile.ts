import { autoProfileOf, clamp, formatMiB, gib, MEMORY_SHARE, MiB, type AutoProfile, type MachineSize, type ProfileSetting } from '@devstack/core';

export { MEMORY_SHARE, type AutoProfile, type MachineSize } from '@devstack/core';

/** MariaDB sizes the buffer pool in chunks of innodb_buffer_pool_chunk_size (stock 128M). */
const CHUNK = 128 * MiB;

/**
 * The `auto` profile, in the spirit of MySQLTuner's advice, from memory and cores. It keeps
 * innodb_flush_log_at_trx_commit = 1 (full durability): it only sizes memory and I/O threads.
 */
export function autoProfile(machine: MachineSize): AutoProfile {
  const ram = machine.memoryBytes;
  const cores = Math.max(1, machine.cores);
  const budget = ram * MEMORY_SHARE;
  const pool = Math.max(CHUNK, Math.floor((budget * 0.5) / CHUNK) * CHUNK);
  const log = clamp(pool / 4, 48 * MiB, 256 * MiB);
  const tmp = clamp(budget / 64, 16 * MiB, 64 * MiB);
  const io = clamp(cores, 4, 16);
  const rows: [ProfileSetting, string][] = [
    [
      { name: 'innodb_buffer_pool_size', value: formatMiB(pool, 'M'), reason: 'InnoDB caches data and indexes here: the one setting that matters most (MySQLTuner: fit the data set)' },
      `max(128M, floor(RAM ${gib(ram)} x ${MEMORY_SHARE} x 0.5 / 128M) x 128M)`,
    ],
    [
      { name: 'innodb_log_file_size', value: formatMiB(log, 'M'), reason: 'redo log ~25% of the buffer pool: fewer forced checkpoints under writes; costs that much disk' },
      'clamp(innodb_buffer_pool_size / 4, 48M, 256M)',
    ],
    [
      { name: 'tmp_table_size', value: formatMiB(tmp, 'M'), reason: 'in-memory temporary tables before they go to disk' },
      `clamp(RAM x ${MEMORY_SHARE} / 64, 16M, 64M)`,
    ],
    [
      { name: 'max_heap_table_size', value: formatMiB(tmp, 'M'), reason: 'caps in-memory temporary tables too; kept equal to tmp_table_size (the smaller one wins)' },
      '= tmp_table_size',
    ],
    [
      { name: 'innodb_read_io_threads', value: String(io), reason: 'background read threads, one per core (at least the stock 4)' },
      `clamp(cores ${cores}, 4, 16)`,
    ],
    [
      { name: 'innodb_write_io_threads', value: String(io), reason: 'background write threads, one per core (at least the stock 4)' },
      `clamp(cores ${cores}, 4, 16)`,
    ],
  ];
  return autoProfileOf(rows, machine, 'MariaDB');
}
