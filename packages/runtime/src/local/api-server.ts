import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { type LoadedConfig, endpointsOf, canConnect, isAlive, readPid, SERVICE_REGISTRY, type ServiceEntry, startProcess, stopPid, waitForPort, type Progress, type ServiceStatus } from '@devstack/core';
import type { StackLayout } from './layout';

/**
 * The reference api (packages/api) is not a server of the stack but a client of all five; `stack up`
 * starts it last, once their credentials and AppRoles exist. A missing build is a warning, not a
 * failure: the stack itself is usable without the api.
 */
export const API_PID = 'api';

/** The api's server script, named by the registry (package + script), resolved in the workspace's node_modules. */
export function apiEntry(config: LoadedConfig): string {
  const serve = (SERVICE_REGISTRY.api as ServiceEntry).serve!;
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${serve.package}/package.json`, { paths: [config.root] }));
  } catch {
    dir = path.join(config.root, 'node_modules', serve.package); // not installed: the "missing" message names this path
  }
  return path.join(dir, serve.script);
}

/** Everything the api's own loadConfig() needs to land on this stack, whatever layer set it here. */
function apiEnv(config: LoadedConfig): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DEVSTACK_ROOT: config.root,
    DEVSTACK_STATE_DIR: config.stateRoot,
    DEVSTACK_PROVIDER: config.provider,
    DEVSTACK_HOST: config.host,
    DEVSTACK_PORT_OFFSET: '0',
    DEVSTACK_VAULT_PORT: String(config.ports.vault),
    DEVSTACK_POSTGRES_PORT: String(config.ports.postgres),
    DEVSTACK_MYSQL_PORT: String(config.ports.mysql),
    DEVSTACK_MONGODB_PORT: String(config.ports.mongodb),
    DEVSTACK_REDIS_PORT: String(config.ports.redis),
    DEVSTACK_API_PORT: String(config.ports.api),
    DEVSTACK_VAULT_KV_MOUNT: config.vault.kvMount,
    DEVSTACK_VAULT_KV_VERSION: String(config.vault.kvVersion),
  };
}

export async function startApi(config: LoadedConfig, layout: StackLayout, progress: Progress): Promise<'started' | 'running' | 'missing'> {
  const pid = readPid(layout.pid(API_PID));
  if (pid && isAlive(pid)) return 'running';
  const entry = apiEntry(config);
  if (!existsSync(entry)) {
    progress(`api: not started: ${path.relative(config.root, entry)} is missing (build it: npx nx run api:build; tools/setup.sh does)`);
    return 'missing';
  }
  const { host, port } = endpointsOf(config).api;
  progress(`api: starting on port ${port}`);
  const started = startProcess({ name: 'api', command: process.execPath, args: [entry], cwd: config.root, env: apiEnv(config), logFile: layout.log(API_PID), pidFile: layout.pid(API_PID) });
  await waitForPort(host, port, { timeoutMs: 20000, pid: started, logFile: layout.log(API_PID), what: `the api to listen on ${host}:${port}` });
  return 'started';
}

export async function stopApi(layout: StackLayout): Promise<void> {
  const pid = readPid(layout.pid(API_PID));
  if (pid && isAlive(pid)) await stopPid(pid, { timeoutMs: 8000 });
}

export async function apiStatus(config: LoadedConfig, layout: StackLayout): Promise<ServiceStatus> {
  const raw = readPid(layout.pid(API_PID));
  const pid = raw && isAlive(raw) ? raw : undefined;
  const { host, port } = endpointsOf(config).api;
  const listening = pid !== undefined && (await canConnect(host, port));
  return {
    service: 'api',
    server: 'devstack api (fastify)',
    port: String(port),
    pid,
    healthy: listening,
    detail: listening ? undefined : existsSync(apiEntry(config)) ? 'not running' : 'not built (npx nx run api:build)',
    logFile: layout.log(API_PID),
  };
}
