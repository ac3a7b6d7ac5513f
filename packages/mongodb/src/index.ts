export { bench, activeProfile, BENCH_SIZES, type MongoBenchOptions } from './bench';
export { baseline, regress } from './regress';
export { tune, tuneFerretDB, readBackMongod, type MongoTuneOptions } from './tune';
export { resolveBackendProfile, renderBackendAuto, backendAutoProfile, availableBackendProfiles, activeBackendProfile, BACKEND_MEMORY_SHARE } from './backend-profiles';
export { mongoProfiles, renderProfile, profileOf, autoCacheGB, mongodProfileDir, settingMatches, type MongoProfile } from './profiles';
export { generateMix, zipfian, seededRandom, scramble, makeRecord, recordId, WORKLOADS, type WorkloadName, type YcsbOp, type KeyDistribution } from './ycsb';
export { connect, serverInfo, mongoCredentials, type MongoServerInfo } from './server';
