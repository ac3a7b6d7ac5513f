import { REDIS_NODE_COUNT } from './defaults';
import type { DevstackConfig } from './config';
import { STACK_SERVICES, type StackService } from './registry';

export interface HostPort {
  host: string;
  port: number;
}

export interface Endpoints {
  vault: HostPort & { url: string };
  postgres: HostPort;
  mysql: HostPort;
  mongodb: HostPort;
  /** All six cluster nodes; the first three are the initial masters. */
  redis: { nodes: HostPort[] };
  api: HostPort & { url: string };
}

export function endpointsOf(config: Pick<DevstackConfig, 'host' | 'ports'>): Endpoints {
  const host = config.host;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    vault: { host, port: config.ports.vault, url: `http://${urlHost}:${config.ports.vault}` },
    postgres: { host, port: config.ports.postgres },
    mysql: { host, port: config.ports.mysql },
    mongodb: { host, port: config.ports.mongodb },
    redis: { nodes: Array.from({ length: REDIS_NODE_COUNT }, (_, i) => ({ host, port: config.ports.redis + i })) },
    api: { host, port: config.ports.api, url: `http://${urlHost}:${config.ports.api}` },
  };
}

export function isStackService(name: string): name is StackService {
  return (STACK_SERVICES as readonly string[]).includes(name);
}
