// @devstack/runtime: what drives servers. Stack providers (local, compose, external), the embedded
// local servers, network namespaces and the profile tune task that applies configs to a live server.
// Backends import it where they drive servers; core never does.
export * from './providers';
export * from './profile-tune';
export * from './network';
export { StackLayout, findBinary, findBinaryIn, postgresBinDir, toolDirs, PROJECT_TOOLS_BIN } from './local/layout';
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
  ferretStorage,
  ferretGogc,
  ferretGomaxprocs,
  ferretdbPatches,
  ID_EQUALITY_PATCH,
  ferretEnv,
  FERRETDB_GOGC_DEFAULT,
  MONGO_AUTH_DATABASE,
  MONGO_BACKEND_PID,
  MONGO_BACKEND_DATABASE,
} from './local/mongo-server';
export { mariadbSocket, socketAdmin } from './local/mariadb-server';
export { clusterShape, redisClient, startRedisNode, redisNodeConfig, redisNodeConfigFile, redisPidName, type ClusterShape } from './local/redis-cluster';
export * from './ab-arms';
export * from './ab-sequential';
export * from './ab-regress';
export * from './ab-calibrate';
export * from './ab-defaults';
export * from './cpu-quota';
export * from './ab-scratch';
export * from './resources';
