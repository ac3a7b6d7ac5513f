import * as path from 'node:path';
import { DEFAULT_CONFIG, STACK_SERVICES } from '@devstack/core';
import { loadPolicy } from '@devstack/runtime';
import { composeMembershipProblems, composeProbeProblems, type ComposeDoc } from '../src/compose-membership';
import { composeMatrix, composeProbeCommand } from '../src/compose-probe';
import { readCompose } from '../src/policy-check';

const root = path.resolve(__dirname, '../../..');
const policy = loadPolicy(root);

/** A compose file with the policy's membership, written the way docker-compose.yml declares it. */
function goodCompose(): ComposeDoc {
  const services: ComposeDoc['services'] = {
    vault: { networks: ['vault', 'data', 'app'] },
    postgres: { networks: ['data', 'app'] },
    mysql: { networks: { data: {}, app: { aliases: ['mariadb'] } } },
    mongodb: { networks: ['data', 'app', 'observability'] },
    api: { networks: ['app', 'observability'] },
  };
  for (let i = 1; i <= 6; i++) services[`redis-${i}`] = { networks: ['data', 'app'] };
  for (const n of Object.keys(policy.networks)) services[`probe-${n}`] = { networks: [n] };
  return { services, networks: { vault: {}, data: {}, app: {}, observability: {} } };
}

describe('compose membership against the policy', () => {
  test('same membership: no problems', () => {
    expect(composeMembershipProblems(policy, goodCompose())).toEqual([]);
    expect(composeProbeProblems(policy, goodCompose())).toEqual([]);
  });
  test('a missing and an extra network are reported by service', () => {
    const doc = goodCompose();
    doc.services!.postgres.networks = ['data', 'observability'];
    expect(composeMembershipProblems(policy, doc)).toEqual(['postgres: missing network(s) app', 'postgres: network(s) observability not in the policy']);
  });
  test('one redis node off the policy is caught; a service on the default network too', () => {
    const doc = goodCompose();
    doc.services!['redis-4'].networks = ['data'];
    doc.services!.mysql = {};
    expect(composeMembershipProblems(policy, doc)).toEqual([
      'mysql: missing network(s) data, app',
      'mysql: network(s) default not in the policy',
      'redis-4: missing network(s) app',
    ]);
  });
  test('a helper in a service\'s namespace (network_mode: service:X) takes that membership; a dangling one is reported', () => {
    const doc = goodCompose();
    doc.services!['mongodb-pg'] = { network_mode: 'service:mongodb' };
    expect(composeMembershipProblems(policy, doc)).toEqual([]);
    doc.services!['mongodb-pg'] = { network_mode: 'service:mongo' };
    expect(composeMembershipProblems(policy, doc)).toEqual(['mongodb-pg: network_mode names service "mongo", which is not in the compose file']);
  });
  test('undeclared networks, unknown and missing services', () => {
    const doc = goodCompose();
    delete doc.networks!.observability;
    delete doc.services!.api;
    doc.services!.grafana = { networks: ['observability'] };
    expect(composeMembershipProblems(policy, doc)).toEqual([
      'network "observability" is not declared under networks:',
      'compose service "grafana" is not in the policy',
      'policy service "api" has no compose service',
    ]);
  });

  const compose = readCompose(root);
  // docker-compose.yml is written by the lead's branch; until it is merged this check has nothing to read.
  (compose ? test : test.skip)('docker-compose.yml has the policy membership (skipped only when the file is absent)', () => {
    expect(composeMembershipProblems(policy, compose!)).toEqual([]);
  });
});

describe('compose probes: docker exec command construction', () => {
  test('one exec per network into probe-<network>, request on stdin', () => {
    expect(composeProbeCommand({ root: '/w' }, 'observability')).toEqual({
      command: 'docker',
      args: ['compose', '-f', '/w/docker-compose.yml', 'exec', '-T', 'probe-observability', 'node', '/devstack/packages/network/dist/probe.js'],
    });
  });
  test('targets are compose service names; Redis node i is redis-(i+1)', () => {
    const cells = composeMatrix(policy, DEFAULT_CONFIG, STACK_SERVICES);
    expect(cells).toHaveLength(44);
    const c = cells.find((x) => x.id === 'app/redis/client#2')!;
    expect([c.address, c.port, c.expected]).toEqual(['redis-3', 17002, 'allow']);
    expect(cells.find((x) => x.id === 'data/vault/api')!.address).toBe('vault');
    expect(cells.find((x) => x.id === 'observability/vault/api')!.expected).toBe('deny');
  });
});
