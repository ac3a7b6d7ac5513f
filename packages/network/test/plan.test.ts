import * as path from 'node:path';
import { DEFAULT_CONFIG } from '@devstack/core';
import { hostRuleset, IFNAME_MAX, loadPolicy, namespaceRuleset, overlappingRoutes, overlaps, planTopology, subnetFor, targetAddress } from '@devstack/runtime';

const policy = loadPolicy(path.resolve(__dirname, '../../..'));
const config = { portOffset: 600, ports: Object.fromEntries(Object.entries(DEFAULT_CONFIG.ports).map(([k, v]) => [k, v + 600])) as typeof DEFAULT_CONFIG.ports };
const plan = planTopology(policy, config);

describe('topology plan', () => {
  test('names carry the port offset and fit Linux interface names', () => {
    expect(plan.tag).toBe('dsp600');
    expect(plan.table).toBe('devstack_600');
    const ifnames = [...plan.bridges.map((b) => b.name), ...plan.namespaces.flatMap((n) => n.legs.map((l) => l.hostVeth))];
    for (const n of ifnames) {
      expect(n.startsWith('dsp600')).toBe(true);
      expect(n.length).toBeLessThanOrEqual(IFNAME_MAX);
    }
    expect(new Set(ifnames).size).toBe(ifnames.length);
    expect(plan.namespaces.map((n) => n.name)).toEqual(expect.arrayContaining(['dsp600-vault', 'dsp600-redis', 'dsp600-probe-observability']));
  });

  test('too long a name is refused, not truncated', () => {
    const p = structuredClone(policy);
    p.networks.observability.tag = 'observab';
    expect(() => planTopology(p, config)).toThrow(/"dsp600mgoobservab" is 17 characters; Linux allows 15/);
  });

  test('subnets move by 4 per 100 of port offset', () => {
    expect(subnetFor('10.213.71.0/24', 0)).toBe('10.213.71.0/24');
    expect(subnetFor('10.213.71.0/24', 600)).toBe('10.213.95.0/24');
    expect(() => subnetFor('10.213.71.0/24', 5000)).toThrow(/past x\.x\.255\.0/);
  });

  test('a probe targets the service leg in its own network, else the home address (routed to the host, which drops it)', () => {
    expect(targetAddress(plan, 'app', 'postgres')).toEqual({ address: '10.213.97.11', sameNetwork: true });
    expect(targetAddress(plan, 'observability', 'postgres')).toEqual({ address: '10.213.96.11', sameNetwork: false });
  });

  test('host ruleset: publishes every service port, masquerades, drops forwarding between bridges and leaks', () => {
    const text = hostRuleset(plan);
    expect(text).toContain('table inet devstack_600 {');
    expect(text).toContain('ip daddr 127.0.0.1 tcp dport 16032 dnat ip to 10.213.96.11:16032');
    expect(text).toContain('iifname "dsp600-data" oifname != "dsp600-data" counter drop');
    expect(text).toMatch(/ip daddr \{ 10\.213\.95\.0\/24, .* \} oifname != \{ .*"lo" \} drop/);
    // 11 policy ports plus the host-only ports: dual-mode TLS listeners (FerretDB +2, six Redis nodes +10)
    // and FerretDB's backend PostgreSQL (+3, for mongodb:tune's read-back from the host).
    expect(plan.publish).toHaveLength(20);
    // Vault's dual-mode HTTPS listener (port + 2, its registry tlsPortShift) is published beside its API port.
    expect(plan.publish.filter((p) => p.service === 'vault').map((p) => p.port)).toEqual([18800, 18802]);
    expect(plan.publish.filter((p) => p.service === 'redis').map((p) => p.port)).toEqual([17600, 17601, 17602, 17603, 17604, 17605, 17610, 17611, 17612, 17613, 17614, 17615]);
    expect(plan.publish.filter((p) => p.service === 'mongodb').map((p) => p.port)).toEqual([17617, 17618, 17619, 17620]);
  });

  test('namespace ruleset: mongodb accepts only the metrics port from observability, only the wire port from app', () => {
    const ns = plan.namespaces.find((n) => n.name === 'dsp600-mongodb')!;
    const text = namespaceRuleset(plan, policy, ns, config);
    expect(text).toContain('iifname "eth-obs" ip saddr 10.213.98.0/24 tcp dport { 17618 } accept');
    expect(text).toContain('iifname "eth-app" ip saddr 10.213.97.0/24 tcp dport { 17617 } accept');
    expect(text).toContain('iifname "eth-data" ip saddr 10.213.96.0/24 tcp dport { 17617, 17618 } accept');
    expect(text).toContain('type filter hook input priority 0; policy drop;');
    expect(text).toContain('type filter hook forward priority 0; policy drop;');
  });
});

describe('route overlap', () => {
  test('CIDR overlap', () => {
    expect(overlaps('10.213.95.0/24', '10.0.0.0/8')).toBe(true);
    expect(overlaps('10.213.95.0/24', '10.213.96.0/24')).toBe(false);
    expect(overlaps('10.213.95.0/24', '10.213.95.77')).toBe(true);
  });
  test('refuses machine routes, ignores the default route and the project own bridges', () => {
    const routes = [
      { dst: 'default', dev: 'eth0' },
      { dst: '192.0.2.0/24', dev: 'eth0' },
      { dst: '10.213.96.0/24', dev: 'dsp600-data' },
      { dst: '10.213.0.0/16', dev: 'tun0' },
    ];
    const hits = overlappingRoutes(['10.213.95.0/24', '10.213.96.0/24'], routes, 'dsp600-');
    expect(hits.map((h) => `${h.subnet}~${h.route.dst}`)).toEqual(['10.213.95.0/24~10.213.0.0/16', '10.213.96.0/24~10.213.0.0/16']);
  });
});
