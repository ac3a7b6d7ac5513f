export { bench, benchPlan, BENCH_SIZES, type PostgresBenchOptions } from './bench';
export { tune, type PostgresTuneOptions } from './tune';
export { baseline, regress } from './regress';
export { parsePgbenchOutput, recordPgbenchLog, type PgbenchSummary } from './pgbench-output';
export { runPgbench, pgbenchInit, pgbenchBinary, PGBENCH_WORKLOADS, type PgbenchWorkload } from './pgbench';
export { autoProfile, MEMORY_SHARE, type AutoProfile, type MachineSize } from './auto-profile';
export { resolveProfile, renderAutoProfile, activeProfile, availableProfiles, autoProfilePath, PROFILE_NAMES, type ResolvedProfile } from './profiles';
export { readSettings } from './read-back';
export { pgSession, pgClient, withClient, serverVersion, createBenchDatabase, dropBenchDatabase, type PgSession } from './connection';
