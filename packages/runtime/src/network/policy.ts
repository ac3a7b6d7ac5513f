import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { type DevstackConfig, DevstackError, SERVICES, type ServiceName } from '@devstack/core';

const tag = z.string().regex(/^[a-z0-9]{2,4}$/, 'must be 2-4 lowercase letters or digits (it goes into 15-character interface names)');
const subnet = z.string().regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.0\/24$/, 'must be an IPv4 /24 such as 10.213.71.0/24');
const portBase = z.enum(SERVICES as [ServiceName, ...ServiceName[]]);
export const PROBE_PROTOCOLS = ['vault-health', 'postgres', 'mysql', 'mongodb', 'redis', 'http-metrics', 'http-health'] as const;

const PolicyShape = z
  .object({
    $comment: z.string().optional(),
    networks: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), z.object({ tag, subnet }).strict()),
    services: z.record(
      z.string(),
      z
        .object({
          tag,
          /** Last octet of the service's address in each of its networks. */
          host: z.number().int().min(2).max(199),
          networks: z.array(z.string()).min(1),
          ports: z.record(
            z.string(),
            z.object({ base: portBase, delta: z.number().int().min(0).max(100).optional(), count: z.number().int().min(1).max(16).optional(), protocol: z.enum(PROBE_PROTOCOLS) }).strict(),
          ),
        })
        .strict(),
    ),
    flows: z.array(z.object({ from: z.string(), to: z.string(), ports: z.array(z.string()).min(1), why: z.string().optional() }).strict()),
  })
  .strict();

/** Cross-references: every name a flow or membership uses exists, tags and addresses are unique, a flow can be realised. */
export const PolicySchema = PolicyShape.superRefine((p, ctx) => {
  const nets = Object.keys(p.networks);
  const issue = (pathParts: (string | number)[], message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: pathParts, message });
  const unique = (values: string[], what: string, where: string) => {
    const seen = new Set<string>();
    for (const v of values) {
      if (seen.has(v)) issue([where], `duplicate ${what} "${v}"`);
      seen.add(v);
    }
  };
  unique(Object.values(p.networks).map((n) => n.tag), 'network tag', 'networks');
  unique(Object.values(p.networks).map((n) => n.subnet), 'subnet', 'networks');
  unique(Object.values(p.services).map((s) => s.tag), 'service tag', 'services');
  unique(Object.values(p.services).map((s) => String(s.host)), 'host number', 'services');
  for (const [name, s] of Object.entries(p.services)) {
    s.networks.forEach((n, i) => {
      if (!nets.includes(n)) issue(['services', name, 'networks', i], `unknown network "${n}" (known: ${nets.join(', ')})`);
    });
  }
  p.flows.forEach((f, i) => {
    const svc = p.services[f.to];
    if (!nets.includes(f.from)) issue(['flows', i, 'from'], `unknown network "${f.from}"`);
    if (!svc) return issue(['flows', i, 'to'], `unknown service "${f.to}"`);
    // A flow is realised by the service's leg in that network: without one no packet can get there.
    if (!svc.networks.includes(f.from)) issue(['flows', i, 'from'], `service "${f.to}" is not attached to network "${f.from}", so this flow cannot happen`);
    f.ports.forEach((port, j) => {
      if (!svc.ports[port]) issue(['flows', i, 'ports', j], `service "${f.to}" has no port named "${port}" (has: ${Object.keys(svc.ports).join(', ')})`);
    });
  });
});

export type SegmentationPolicy = z.infer<typeof PolicyShape>;

export const POLICY_FILE = path.join('configs', 'network', 'segmentation.json');

export function parsePolicy(raw: unknown, origin: string): SegmentationPolicy {
  const r = PolicySchema.safeParse(raw);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const key = first.path.join('.') || '(top level)';
  throw new DevstackError('BAD_CONFIG', `${origin}: invalid value at "${key}": ${first.message}.`, {
    fix: `Correct "${key}" in ${origin}; see packages/network/README.md for the policy format.`,
    details: { issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

export function loadPolicy(root: string): SegmentationPolicy {
  const file = path.join(root, POLICY_FILE);
  if (!existsSync(file)) throw new DevstackError('BAD_CONFIG', `${file} does not exist.`, { fix: 'Restore configs/network/segmentation.json from git.' });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new DevstackError('BAD_CONFIG', `${file} is not valid JSON: ${(cause as Error).message}.`, { cause, fix: `Fix the JSON syntax in ${file}.` });
  }
  return parsePolicy(raw, file);
}

export interface PolicyPort {
  service: string;
  /** Port name in the policy; with count > 1 the node index is appended: client#0 .. client#5. */
  name: string;
  portName: string;
  port: number;
  protocol: (typeof PROBE_PROTOCOLS)[number];
}

/** Every concrete TCP port of a service under a config (port offset applied by the config). */
export function servicePorts(policy: SegmentationPolicy, service: string, config: Pick<DevstackConfig, 'ports'>): PolicyPort[] {
  const svc = policy.services[service];
  if (!svc) return [];
  return Object.entries(svc.ports).flatMap(([portName, p]) => {
    const first = config.ports[p.base] + (p.delta ?? 0);
    const count = p.count ?? 1;
    return Array.from({ length: count }, (_, i) => ({ service, name: count > 1 ? `${portName}#${i}` : portName, portName, port: first + i, protocol: p.protocol }));
  });
}

/** The policy's verdict for one cell of the matrix. */
export function isAllowed(policy: SegmentationPolicy, from: string, service: string, portName: string): boolean {
  return policy.flows.some((f) => f.from === from && f.to === service && f.ports.includes(portName));
}

/** Port names a network may reach on a service (what the service namespace's firewall accepts on that leg). */
export function allowedPortNames(policy: SegmentationPolicy, from: string, service: string): string[] {
  return [...new Set(policy.flows.filter((f) => f.from === from && f.to === service).flatMap((f) => f.ports))];
}
