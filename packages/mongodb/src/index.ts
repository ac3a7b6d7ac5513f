export { bench, activeProfile, BENCH_SIZES, type MongoBenchOptions } from './bench';
export { baseline, regress } from './regress';
export { tune, readBackMongod, type MongoTuneOptions } from './tune';
export { mongoProfiles, renderProfile, profileOf, autoCacheGB, notApplicableOnFerret, settingMatches, type MongoProfile } from './profiles';
export { generateMix, zipfian, seededRandom, scramble, makeRecord, recordId, WORKLOADS, type WorkloadName, type YcsbOp, type KeyDistribution } from './ycsb';
export { connect, serverInfo, type MongoServerInfo } from './server';
