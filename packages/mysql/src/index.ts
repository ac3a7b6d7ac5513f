export { bench, benchPlan, BENCH_SIZES, type MysqlBenchOptions } from './bench';
export { tune, type MysqlTuneOptions } from './tune';
export { baseline, regress } from './regress';
export { parseSysbenchOutput, recordSysbenchHistogram, type SysbenchSummary } from './sysbench-output';
export { runSysbench, sysbenchPrepare, sysbenchBinary, SYSBENCH_WORKLOADS, type SysbenchWorkload } from './sysbench';
export { autoProfile, MEMORY_SHARE, type AutoProfile, type MachineSize } from './auto-profile';
export { resolveProfile, renderAutoProfile, activeProfile, availableProfiles, autoProfilePath, PROFILE_NAMES, type ResolvedProfile } from './profiles';
export { readVariables } from './read-back';
export { mysqlSession, mysqlConnection, withConnection, serverVersion, createBenchDatabase, dropBenchDatabase, sysbenchConnection, type MysqlSession } from './connection';
