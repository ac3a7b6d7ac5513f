export { bench, activeProfile, type RedisBenchOptions } from './bench';
export { baseline, regressRedis } from './regress';
export { tune, readBackAll, type RedisTuneOptions } from './tune';
export { parseBenchmarkCsv, type BenchmarkRow } from './benchmark-output';
export { REDIS_PROFILES, renderProfile, profileSettings, withOverrides, parseMemory, checkMaxmemory, settingMatches } from './profiles';
export { rollingRestart, restartNode, waitNodeReady, type RollingStep } from './rolling-restart';
export { parseClusterNodes, readTopology, slotMasters, tagFor, type ClusterNode } from './topology';
