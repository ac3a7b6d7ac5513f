import { DevstackError, runCommand } from '@devstack/core';
import type { TopologyPlan } from './plan';

export interface RouteEntry {
  dst: string;
  dev?: string;
}

const toInt = (ip: string) => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);

/** [first, last] address of a CIDR (a bare address is a /32). */
export function cidrRange(cidr: string): [number, number] {
  const [ip, bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(toInt(ip) / size) * size;
  return [first, first + size - 1];
}

export function overlaps(a: string, b: string): boolean {
  const [a0, a1] = cidrRange(a);
  const [b0, b1] = cidrRange(b);
  return a0 <= b1 && b0 <= a1;
}

/** Routes of the machine that a planned subnet would collide with (the default route aside; our own bridges aside). */
export function overlappingRoutes(subnets: string[], routes: RouteEntry[], ownPrefix: string): { subnet: string; route: RouteEntry }[] {
  const hits: { subnet: string; route: RouteEntry }[] = [];
  for (const route of routes) {
    if (route.dst === 'default' || !/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(route.dst)) continue;
    if (route.dev?.startsWith(ownPrefix)) continue;
    for (const subnet of subnets) if (overlaps(subnet, route.dst)) hits.push({ subnet, route });
  }
  return hits;
}

async function ipJson<T>(args: string[]): Promise<T> {
  const r = await runCommand('ip', ['-j', ...args], { timeoutMs: 10000 });
  if (r.code !== 0) throw new DevstackError('ENVIRONMENT', `ip -j ${args.join(' ')} failed: ${r.stderr.trim()}`, { fix: 'Install iproute2; segmentation needs root.' });
  return JSON.parse(r.stdout || '[]') as T;
}

/** Refuse subnets that overlap any route the machine already has (ip -j route). */
export async function assertNoOverlap(plan: TopologyPlan): Promise<void> {
  const routes = await ipJson<RouteEntry[]>(['route']);
  const hits = overlappingRoutes(
    plan.bridges.map((b) => b.subnet),
    routes,
    `${plan.tag}-`,
  );
  if (hits.length) {
    const h = hits[0];
    throw new DevstackError('BAD_CONFIG', `Subnet ${h.subnet} overlaps the machine's route ${h.route.dst}${h.route.dev ? ` (dev ${h.route.dev})` : ''}; refusing to create it.`, {
      fix: 'Pick other subnets in configs/network/segmentation.json, or another DEVSTACK_PORT_OFFSET (each 100 moves the subnets by 4).',
      details: { overlaps: hits.map((x) => ({ subnet: x.subnet, route: x.route.dst, dev: x.route.dev })) },
    });
  }
}

/** The device `ip route get` picks for an address, on the host or inside a namespace. */
export async function routeDev(address: string, namespace?: string): Promise<string | undefined> {
  const routes = await ipJson<{ dev?: string }[]>([...(namespace ? ['-n', namespace] : []), 'route', 'get', address]);
  return routes[0]?.dev;
}

/**
 * Abort unless the route to `address` goes through one of the project's own devices: a half-built
 * topology would send traffic for a private address out through the default route.
 */
export async function assertRouteVia(address: string, devices: string[], namespace?: string): Promise<string> {
  let dev: string | undefined;
  try {
    dev = await routeDev(address, namespace);
  } catch (cause) {
    throw new DevstackError('ENVIRONMENT', `No route to ${address}${namespace ? ` in namespace ${namespace}` : ''}; refusing to send anything there.`, { cause, fix: 'Rebuild the segmented stack: stack down, then stack up --segmented.' });
  }
  if (!dev || !devices.includes(dev)) {
    throw new DevstackError('ENVIRONMENT', `Route to ${address}${namespace ? ` in ${namespace}` : ''} goes through ${dev ?? 'nothing'}, not the project's own ${devices.join('/')}; refusing to send anything there.`, {
      fix: 'The segmented topology is missing or half-built: stack down, then stack up --segmented.',
    });
  }
  return dev;
}
