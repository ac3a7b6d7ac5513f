import type { LoadedConfig, StartOptions } from '@devstack/core';
import { readNetworkState } from './topology';

/** The service a pid file belongs to: redis-0 .. redis-5 are the Redis cluster's nodes, mongodb-pg is FerretDB's backend. */
export const serviceOfPidName = (pidName: string) => (/^redis-\d+$/.test(pidName) ? 'redis' : pidName === 'mongodb-pg' ? 'mongodb' : pidName);

/**
 * When the segmented topology is up, start a server inside its service's namespace:
 * `ip netns exec <ns> [setpriv --reuid ...] <server> ...`. Both exec (no fork), so the pid stays the server's.
 * Servers keep binding 127.0.0.1: inside the namespace that is the namespace's own loopback, reached
 * through its DNAT rules; so no server config changes for segmentation.
 */
export function inNamespace<T extends Omit<StartOptions, 'logFile' | 'pidFile'>>(config: Pick<LoadedConfig, 'stateRoot'>, pidName: string, options: T): T {
  const state = readNetworkState(config);
  const ns = state?.ready ? state.services[serviceOfPidName(pidName)] : undefined;
  if (!ns) return options;
  // ip netns exec needs root, so the switch to the service account happens after it, by setpriv.
  const drop = options.uid !== undefined ? ['setpriv', `--reuid=${options.uid}`, `--regid=${options.gid ?? options.uid}`, '--clear-groups'] : [];
  return { ...options, command: 'ip', args: ['netns', 'exec', ns, ...drop, options.command, ...options.args], uid: undefined, gid: undefined };
}
