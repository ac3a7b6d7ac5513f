import * as path from 'node:path';
import { DEFAULT_CONFIG } from '@devstack/core';
import { allowedPortNames, isAllowed, loadPolicy, parsePolicy, servicePorts, type SegmentationPolicy } from '@devstack/runtime';

const root = path.resolve(__dirname, '../../..');
const policy = loadPolicy(root);
const clone = (): SegmentationPolicy => structuredClone(policy);
const reject = (p: unknown) => {
  try {
    parsePolicy(p, 'test.json');
  } catch (e) {
    return (e as Error & { code: string }).code + ': ' + (e as Error).message;
  }
  throw new Error('policy was accepted');
};

describe('default segmentation policy (configs/network/segmentation.json)', () => {
  test('has the four networks of the issue', () => {
    expect(Object.keys(policy.networks).sort()).toEqual(['app', 'data', 'observability', 'vault']);
  });

  test('every tier but observability reaches Vault, and only on its API port', () => {
    for (const n of ['vault', 'data', 'app']) expect(allowedPortNames(policy, n, 'vault')).toEqual(['api']);
    expect(allowedPortNames(policy, 'observability', 'vault')).toEqual([]);
  });

  test('app reaches data on client ports, not on metrics', () => {
    for (const [s, p] of [['postgres', 'sql'], ['mysql', 'sql'], ['mongodb', 'wire'], ['redis', 'client']]) expect(isAllowed(policy, 'app', s, p)).toBe(true);
    expect(isAllowed(policy, 'app', 'mongodb', 'metrics')).toBe(false);
  });

  test('observability reaches metrics/health ports only', () => {
    const flows = policy.flows.filter((f) => f.from === 'observability');
    for (const f of flows) for (const port of f.ports) expect(policy.services[f.to].ports[port].protocol).toMatch(/^http-(metrics|health)$/);
    expect(isAllowed(policy, 'observability', 'mongodb', 'wire')).toBe(false);
  });

  test('data reaches neither app nor observability; app does not reach observability', () => {
    const inApp = Object.keys(policy.services).filter((s) => policy.services[s].networks[0] === 'app');
    expect(inApp).toEqual(['api']);
    expect(policy.flows.filter((f) => f.from === 'data' && inApp.includes(f.to))).toEqual([]);
    // observability holds no service of its own: nothing there to reach.
    expect(Object.values(policy.services).filter((s) => s.networks[0] === 'observability')).toEqual([]);
  });

  test('ports follow the config (port offset applied there); Redis has six client ports', () => {
    const ports = servicePorts(policy, 'redis', { ports: { ...DEFAULT_CONFIG.ports, redis: 17600 } });
    expect(ports.map((p) => p.port)).toEqual([17600, 17601, 17602, 17603, 17604, 17605]);
    expect(servicePorts(policy, 'mongodb', DEFAULT_CONFIG).map((p) => [p.name, p.port])).toEqual([['wire', 17017], ['metrics', 17018]]);
  });
});

describe('policy validation refuses bad files (BAD_CONFIG, with the key)', () => {
  test('a flow from a network the service is not attached to', () => {
    const p = clone();
    p.flows.push({ from: 'observability', to: 'postgres', ports: ['sql'] });
    expect(reject(p)).toMatch(/^BAD_CONFIG: .*flows\.\d+\.from.*not attached to network "observability"/);
  });
  test('an unknown network in a membership', () => {
    const p = clone();
    p.services.postgres.networks.push('dmz');
    expect(reject(p)).toMatch(/services\.postgres\.networks\.2.*unknown network "dmz"/);
  });
  test('an unknown port name in a flow', () => {
    const p = clone();
    p.flows[0].ports = ['admin'];
    expect(reject(p)).toMatch(/no port named "admin"/);
  });
  test('duplicate subnets and over-long tags', () => {
    const p = clone();
    p.networks.app.subnet = p.networks.data.subnet;
    expect(reject(p)).toMatch(/duplicate subnet/);
    const q = clone();
    q.networks.app.tag = 'application';
    expect(reject(q)).toMatch(/networks\.app\.tag.*2-4 lowercase/);
  });
  test('a subnet that is not a /24', () => {
    const p = clone();
    p.networks.app.subnet = '10.213.73.0/16';
    expect(reject(p)).toMatch(/networks\.app\.subnet.*IPv4 \/24/);
  });
});
