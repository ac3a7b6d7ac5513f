import { randomBytes } from 'node:crypto';
import { endpointsOf, registerSecret, type LoadedConfig } from '@devstack/core';
import { onNode } from './topology';

/**
 * redis-benchmark 7.0 reads its password only from argv (-a); it ignores REDISCLI_AUTH, unlike
 * redis-cli. So that the stack's password never appears in a process list, each run creates a
 * throwaway ACL user on every node with a random password, allowed only string commands and the
 * few introspection calls the tool makes, and deletes it afterwards (docs/redis-benchmark-auth.md).
 */
export const BENCH_USER = 'devstack-bench';

export const BENCH_USER_RULES = ['on', 'resetkeys', '~*', 'resetchannels', '-@all', '+@string', '+@connection', '+cluster|nodes', '+cluster|slots', '+config|get', '+info'];

export interface BenchUser {
  user: string;
  readonly password: string;
  remove(): Promise<void>;
}

export async function createBenchUser(config: LoadedConfig, adminPassword: string): Promise<BenchUser> {
  const password = randomBytes(18).toString('base64url');
  registerSecret(password);
  const nodes = endpointsOf(config).redis.nodes;
  await Promise.all(nodes.map((n) => onNode(n, adminPassword, 'ACL', 'SETUSER', BENCH_USER, 'reset', ...BENCH_USER_RULES, `>${password}`)));
  const user = {
    user: BENCH_USER,
    async remove() {
      await Promise.all(nodes.map((n) => onNode(n, adminPassword, 'ACL', 'DELUSER', BENCH_USER).catch(() => undefined)));
    },
  } as BenchUser;
  Object.defineProperty(user, 'password', { value: password, enumerable: false });
  return user;
}
