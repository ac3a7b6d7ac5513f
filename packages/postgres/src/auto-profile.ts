import { autoProfileOf, clamp, formatMiB, GiB, gib, MEMORY_SHARE, MiB, type AutoProfile, type MachineSize, type ProfileSetting } from '@devstack/core';

export { MEMORY_SHARE, type AutoProfile, type MachineSize } from '@devstack/core';

/** Connections the formulas plan for (the stock max_connections, unchanged by this profile). */
const MAX_CONNECTIONS = 100;

/**
 * The `auto` profile, in the spirit of PGTune ("web/mixed" workload), from memory and cores.
 * It keeps every durability default: it only sizes caches and parallelism.
 */
export function autoProfile(machine: MachineSize): AutoProfile {
  const ram = machine.memoryBytes;
  const cores = Math.max(1, machine.cores);
  const budget = ram * MEMORY_SHARE;
  const sharedBuffers = clamp(budget * 0.25, 128 * MiB, 8 * GiB);
  const cache = clamp(budget * 0.75, 256 * MiB, 64 * GiB);
  const maintenance = clamp(budget / 16, 64 * MiB, 1 * GiB);
  const work = clamp((budget - sharedBuffers) / (MAX_CONNECTIONS * 3), 4 * MiB, 64 * MiB);
  const gather = clamp(Math.floor(cores / 2), 1, 4);
  const rows: [ProfileSetting, string][] = [
    [
      { name: 'shared_buffers', value: formatMiB(sharedBuffers, 'MB'), reason: 'PGTune: 25% of the memory PostgreSQL may use' },
      `clamp(RAM ${gib(ram)} x ${MEMORY_SHARE} x 0.25, 128MB, 8GB)`,
    ],
    [
      { name: 'effective_cache_size', value: formatMiB(cache, 'MB'), reason: 'planner hint: memory for caching data (shared buffers + OS cache); allocates nothing' },
      `clamp(RAM x ${MEMORY_SHARE} x 0.75, 256MB, 64GB)`,
    ],
    [
      { name: 'maintenance_work_mem', value: formatMiB(maintenance, 'MB'), reason: 'faster VACUUM, CREATE INDEX and pgbench -i' },
      `clamp(RAM x ${MEMORY_SHARE} / 16, 64MB, 1GB)`,
    ],
    [
      { name: 'work_mem', value: formatMiB(work, 'MB'), reason: 'per sort/hash memory, sized so every connection can use ~3 at once within the budget' },
      `clamp((RAM x ${MEMORY_SHARE} - shared_buffers) / (${MAX_CONNECTIONS} connections x 3), 4MB, 64MB)`,
    ],
    [
      { name: 'max_worker_processes', value: String(Math.max(8, cores)), reason: 'background workers, at least one per core (stock 8)' },
      `max(8, cores ${cores})`,
    ],
    [
      { name: 'max_parallel_workers', value: String(cores), reason: 'parallel query workers: one per core' },
      `cores ${cores}`,
    ],
    [
      { name: 'max_parallel_workers_per_gather', value: String(gather), reason: 'half the cores for one query, leaving the rest to other sessions' },
      `clamp(floor(cores / 2), 1, 4)`,
    ],
    [
      { name: 'random_page_cost', value: '1.1', reason: 'assumes SSD storage: random reads cost about as much as sequential ones (stock 4 is for spinning disks)' },
      'constant (SSD)',
    ],
    [
      { name: 'checkpoint_completion_target', value: '0.9', reason: 'spread checkpoint writes over 90% of the interval' },
      'constant',
    ],
  ];
  return autoProfileOf(rows, machine, 'PostgreSQL');
}
