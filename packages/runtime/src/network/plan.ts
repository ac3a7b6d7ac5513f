import { type DevstackConfig, STACK_SERVICES, DevstackError, isServiceName, MONGO_BACKEND_PORT_SHIFT, SERVICE_REGISTRY, type ServiceEntry } from '@devstack/core';
import { allowedPortNames, servicePorts, type SegmentationPolicy } from './policy';

/** Linux caps interface names at 15 characters (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;

export interface LegPlan {
  network: string;
  bridge: string;
  /** Host end of the veth pair (on the bridge). */
  hostVeth: string;
  /** Namespace end of the veth pair. */
  ifname: string;
  address: string;
  /** The host's address on the bridge: gateway for probes, source of published-port traffic. */
  gateway: string;
  subnet: string;
}

export interface NamespacePlan {
  name: string;
  kind: 'service' | 'probe';
  /** The service it holds (kind service) or the network it probes from (kind probe). */
  owner: string;
  legs: LegPlan[];
}

export interface TopologyPlan {
  /** Prefix of every name this stack creates: dsp<portOffset>. */
  tag: string;
  /** The host nftables table: inet devstack_<portOffset>. */
  table: string;
  bridges: { network: string; name: string; gateway: string; subnet: string }[];
  namespaces: NamespacePlan[];
  /** Host 127.0.0.1:port -> service address (published ports, the way docker publishes them). */
  publish: { service: string; port: number; address: string }[];
}

export const PROBE_HOST = 200;

/** Subnets in the policy are for port offset 0; every 100 of offset moves the third octet up by 4. */
export function subnetFor(subnet: string, portOffset: number): string {
  const [a, b, c] = subnet.split('.').map(Number);
  const third = c + Math.floor(portOffset / 100) * 4;
  if (third > 255) {
    throw new DevstackError('BAD_CONFIG', `portOffset ${portOffset} moves subnet ${subnet} past x.x.255.0.`, {
      fix: 'Use a smaller portOffset, or lower subnets in configs/network/segmentation.json.',
    });
  }
  return `${a}.${b}.${third}.0/24`;
}

export const hostAddress = (subnet: string, host: number) => `${subnet.split('.').slice(0, 3).join('.')}.${host}`;

function checkName(name: string, what: string): string {
  if (name.length > IFNAME_MAX) {
    throw new DevstackError('BAD_CONFIG', `${what} name "${name}" is ${name.length} characters; Linux allows ${IFNAME_MAX}.`, {
      fix: 'Shorten the network/service "tag" in configs/network/segmentation.json (2-4 characters) or use a shorter portOffset.',
    });
  }
  return name;
}

/** Services the local provider runs inside namespaces: the stack servers the policy places. */
export function segmentedServices(policy: SegmentationPolicy): string[] {
  return STACK_SERVICES.filter((s) => policy.services[s]);
}

/** Every name and address of the segmented stack, computed from the policy and the port offset only. */
export function planTopology(policy: SegmentationPolicy, config: Pick<DevstackConfig, 'portOffset' | 'ports'>): TopologyPlan {
  const tag = `dsp${config.portOffset}`;
  const bridges = Object.entries(policy.networks).map(([network, n]) => {
    const subnet = subnetFor(n.subnet, config.portOffset);
    return { network, name: checkName(`${tag}-${n.tag}`, 'Bridge'), gateway: hostAddress(subnet, 1), subnet };
  });
  const bridgeOf = (network: string) => bridges.find((b) => b.network === network)!;
  const leg = (ownerTag: string, network: string, host: number): LegPlan => {
    const b = bridgeOf(network);
    const netTag = policy.networks[network].tag;
    return {
      network,
      bridge: b.name,
      hostVeth: checkName(`${tag}${ownerTag}${netTag}`, 'veth'),
      ifname: `eth-${netTag}`,
      address: hostAddress(b.subnet, host),
      gateway: b.gateway,
      subnet: b.subnet,
    };
  };
  const namespaces: NamespacePlan[] = [
    ...segmentedServices(policy).map((s) => {
      const svc = policy.services[s];
      return { name: `${tag}-${s}`, kind: 'service' as const, owner: s, legs: svc.networks.map((n) => leg(svc.tag, n, svc.host)) };
    }),
    ...Object.keys(policy.networks).map((n) => ({ name: `${tag}-probe-${n}`, kind: 'probe' as const, owner: n, legs: [leg('prb', n, PROBE_HOST)] })),
  ];
  const publish = segmentedServices(policy).flatMap((s) => {
    const home = namespaces.find((ns) => ns.kind === 'service' && ns.owner === s)!.legs[0];
    return [...servicePorts(policy, s, config).map((p) => p.port), ...hostOnlyPorts(s, config)].map((port) => ({ service: s, port, address: home.address }));
  });
  return { tag, table: `devstack_${config.portOffset}`, bridges, namespaces, publish };
}

/**
 * Ports published to the host only, outside the policy's matrix: the dual-mode TLS listeners that sit
 * beside a plaintext port (every registry service whose tlsPortShift is above 0: Vault + 2, FerretDB + 2,
 * each Redis node + 10), and FerretDB's backend PostgreSQL (port + 3, which mongodb:tune reads back).
 * Networks reach TLS through the policy's own ports (in required mode TLS moves onto them).
 */
export function hostOnlyPorts(service: string, config: Pick<DevstackConfig, 'ports'>): number[] {
  if (!isServiceName(service)) return [];
  const entry: ServiceEntry = SERVICE_REGISTRY[service];
  const base = config.ports[service];
  const tls = entry.tlsPortShift ? Array.from({ length: entry.portCount }, (_, i) => base + i + entry.tlsPortShift!) : [];
  return service === 'mongodb' ? [...tls, base + MONGO_BACKEND_PORT_SHIFT] : tls;
}

/** Where a probe in `network` sends traffic for `service`: its leg in that network, else its home address (routed to the host, which drops it). */
export function targetAddress(plan: TopologyPlan, network: string, service: string): { address: string; sameNetwork: boolean } {
  const ns = plan.namespaces.find((n) => n.kind === 'service' && n.owner === service);
  if (!ns) throw new DevstackError('BAD_INPUT', `Service "${service}" has no namespace in the segmented stack.`);
  const legIn = ns.legs.find((l) => l.network === network);
  return { address: (legIn ?? ns.legs[0]).address, sameNetwork: Boolean(legIn) };
}

/** The host table: publish ports on 127.0.0.1, never forward between (or out of) the project's bridges, never route its subnets elsewhere. */
export function hostRuleset(plan: TopologyPlan): string {
  const names = plan.bridges.map((b) => `"${b.name}"`).join(', ');
  const subnets = plan.bridges.map((b) => b.subnet).join(', ');
  return [
    `table inet ${plan.table} {`,
    '  chain publish {',
    '    type nat hook output priority -100; policy accept;',
    ...plan.publish.map((p) => `    ip daddr 127.0.0.1 tcp dport ${p.port} dnat ip to ${p.address}:${p.port}`),
    '  }',
    '  chain host_snat {',
    '    type nat hook postrouting priority 100; policy accept;',
    `    oifname { ${names} } ip saddr 127.0.0.0/8 masquerade`,
    '  }',
    '  chain no_leak {',
    '    type filter hook output priority 0; policy accept;',
    // A half-built topology would route these private addresses out through the default route: never let it.
    `    ip daddr { ${subnets} } oifname != { ${names}, "lo" } drop`,
    '  }',
    '  chain isolate {',
    '    type filter hook forward priority 0; policy accept;',
    // Counted, so a test can show these rules (not ip_forward) stopped a routed packet.
    ...plan.bridges.flatMap((b) => [`    iifname "${b.name}" oifname != "${b.name}" counter drop`, `    oifname "${b.name}" iifname != "${b.name}" counter drop`]),
    '  }',
    '}',
    '',
  ].join('\n');
}

/** A service namespace's table: servers listen on the namespace's 127.0.0.1; the policy decides which leg reaches which port. */
export function namespaceRuleset(plan: TopologyPlan, policy: SegmentationPolicy, ns: NamespacePlan, config: Pick<DevstackConfig, 'ports'>): string {
  const ports = servicePorts(policy, ns.owner, config);
  const portSet = (names: string[]) =>
    ports
      .filter((p) => names.includes(p.portName))
      .map((p) => p.port)
      .join(', ');
  const legRules = ns.legs.flatMap((l) => {
    const allowed = portSet(allowedPortNames(policy, l.network, ns.owner));
    return [
      // The host reaches every port, as published ports do.
      `    iifname "${l.ifname}" ip saddr ${l.gateway} accept`,
      ...(allowed ? [`    iifname "${l.ifname}" ip saddr ${l.subnet} tcp dport { ${allowed} } accept`] : []),
    ];
  });
  return [
    'table inet devstack {',
    '  chain to_loopback {',
    '    type nat hook prerouting priority -100; policy accept;',
    `    iifname != "lo" tcp dport { ${[...ports.map((p) => p.port), ...hostOnlyPorts(ns.owner, config)].join(', ')} } dnat ip to 127.0.0.1`,
    '  }',
    '  chain as_local {',
    '    type nat hook input priority 100; policy accept;',
    // Servers see 127.0.0.1 as the client, so their loopback-only auth rules (pg_hba, MariaDB users) hold unchanged.
    '    iifname != "lo" ip daddr 127.0.0.1 snat ip to 127.0.0.1',
    '  }',
    '  chain flows {',
    '    type filter hook input priority 0; policy drop;',
    '    iifname "lo" accept',
    '    ct state established,related accept',
    ...legRules,
    '    meta l4proto tcp reject with tcp reset',
    '  }',
    '  chain no_forward {',
    '    type filter hook forward priority 0; policy drop;',
    '  }',
    '}',
    '',
  ].join('\n');
}
