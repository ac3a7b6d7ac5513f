import * as path from 'node:path';
import { type DevstackConfig, type LoadedConfig, type StackService } from '@devstack/core';
import { composeNames } from '@devstack/core';
import { isAllowed, servicePorts, type SegmentationPolicy } from '@devstack/runtime';
import type { MatrixCell } from './matrix';

/** Where the workspace is mounted inside the probe containers of docker-compose.yml. */
export const COMPOSE_WORKDIR = '/devstack';

/** The compose service that probes from `network`: one per network, attached to that network only. */
export const composeProbeService = (network: string) => `probe-${network}`;

/**
 * `docker compose exec -T probe-<network> node .../probe.js`: the same probe script as the local namespaces,
 * request on stdin (so credentials stay off the command line), JSON outcomes on stdout.
 */
export function composeProbeCommand(config: Pick<LoadedConfig, 'root'>, network: string): { command: string; args: string[] } {
  return {
    command: 'docker',
    args: ['compose', '-f', path.join(config.root, 'docker-compose.yml'), 'exec', '-T', composeProbeService(network), 'node', `${COMPOSE_WORKDIR}/packages/network/dist/probe.js`],
  };
}

/**
 * The compose matrix: targets are compose service names on the compose network (Docker's DNS answers
 * only on networks the two containers share, so a denied pair fails at name resolution or connect).
 * Ports are the stack's configured ports, which docker-compose.yml keeps inside the containers too.
 */
export function composeMatrix(policy: SegmentationPolicy, config: Pick<DevstackConfig, 'ports'>, services: readonly StackService[]): MatrixCell[] {
  return Object.keys(policy.networks).flatMap((from) =>
    services
      .filter((s) => policy.services[s])
      .flatMap((service) =>
        servicePorts(policy, service, config).map((p) => {
          const node = p.name.includes('#') ? Number(p.name.split('#')[1]) : 0;
          const names = composeNames([service]);
          return {
            id: `${from}/${service}/${p.name}`,
            from,
            service,
            portName: p.name,
            address: names[Math.min(node, names.length - 1)],
            port: p.port,
            protocol: p.protocol,
            expected: isAllowed(policy, from, service, p.portName) ? ('allow' as const) : ('deny' as const),
            sameNetwork: policy.services[service].networks.includes(from),
          };
        }),
      ),
  );
}
