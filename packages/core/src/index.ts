export * from './errors';
export * from './redact';
export * from './workspace';
export * from './defaults';
export * from './config';
export * from './endpoints';
export * from './machine';
export * from './process';
export * from './progress';
export * from './stats';
export * from './results';
export * from './regress';
export * from './lock';
export * from './output';
export * from './task';
export * from './runner';
export * from './vault';
export * from './approle';
export * from './credentials';
export * from './provider';
export * from './providers';
export { StackLayout, findBinary, postgresBinDir, toolDirs } from './local/layout';
export { LocalProvider, LOCAL_SERVICES } from './local/local-provider';
export { serviceAccount, SERVICE_USER } from './local/service';
export { vaultBinary, vaultVersion, vaultConfigText } from './local/vault-server';
export {
  mongoBinary,
  mongoUrl,
  mongoMetricsPort,
  mongoBackendPort,
  mongoBackendSettings,
  mongoBackendVersion,
  isPostgresFragment,
  retireSqliteFiles,
  MONGO_AUTH_DATABASE,
  MONGO_BACKEND_PID,
  MONGO_BACKEND_DATABASE,
} from './local/mongo-server';
export { mariadbSocket } from './local/mariadb-server';
export { clusterShape, redisClient, startRedisNode, redisNodeConfig, redisNodeConfigFile, redisPidName, type ClusterShape } from './local/redis-cluster';
export {
  certsRoot,
  clientTls,
  readTlsState,
  serviceTls,
  tlsStateFile,
  MONGO_TLS_PORT_SHIFT,
  REDIS_TLS_PORT_SHIFT,
  TLS_CIPHERS,
  type ClientTls,
  type ServiceTls,
  type TlsMode,
  type TlsState,
} from './local/tls-settings';
export * from './perf';
export * from './tune';
export * from './profile-file';
export * from './probe';
export * from './tuning-doc';
export * from './network';
export * from './profile-tune';
export * from './profile-catalog';
