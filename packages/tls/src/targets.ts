import { endpointsOf, MONGO_TLS_PORT_SHIFT, REDIS_TLS_PORT_SHIFT, SERVICE_REGISTRY, STACK_SERVICES, type LoadedConfig, type StackService, type TlsMode } from '@devstack/core';
import type { TlsTarget } from './handshake';

/** Services that get TLS (registry servers with a TLS listener), in restart order: Vault first, because the others read their credentials from it. */
export const TLS_SERVICES: StackService[] = STACK_SERVICES.filter((s) => SERVICE_REGISTRY[s].tlsPortShift !== null);

/**
 * Where each service serves TLS in a mode (see core/local/tls-settings.ts). Vault has one listener:
 * in dual mode it stays plaintext, so it has no TLS target there.
 */
export function tlsTarget(config: LoadedConfig, service: StackService, mode: TlsMode): TlsTarget | undefined {
  const ep = endpointsOf(config);
  const host = config.host;
  switch (service) {
    case 'postgres':
      return { service, host, port: ep.postgres.port, starttls: 'postgres' };
    case 'mysql':
      return { service, host, port: ep.mysql.port, starttls: 'mysql' };
    case 'redis':
      return { service, host, port: ep.redis.nodes[0].port + (mode === 'dual' ? REDIS_TLS_PORT_SHIFT : 0), starttls: 'none' };
    case 'mongodb':
      return { service, host, port: ep.mongodb.port + (mode === 'dual' ? MONGO_TLS_PORT_SHIFT : 0), starttls: 'none' };
    case 'vault':
      return mode === 'required' ? { service, host, port: ep.vault.port, starttls: 'none' } : undefined;
  }
}

/** Every Redis node's TLS port (check reads all six). */
export function redisTlsTargets(config: LoadedConfig, mode: TlsMode): TlsTarget[] {
  return endpointsOf(config).redis.nodes.map((n, i) => ({ service: `redis node ${i + 1}`, host: n.host, port: n.port + (mode === 'dual' ? REDIS_TLS_PORT_SHIFT : 0), starttls: 'none' as const }));
}
