import type { SegmentationPolicy } from '@devstack/runtime';

/** The parts of a docker-compose.yml this check reads. */
export interface ComposeDoc {
  services?: Record<string, { networks?: string[] | Record<string, unknown> | null; network_mode?: string }>;
  networks?: Record<string, unknown>;
}

/** Compose service name -> policy service: redis-1..redis-6 are the cluster's nodes (redis-cluster-init joins them); probe-* containers are not services. */
export function policyServiceOf(composeService: string): string | undefined {
  if (/^probe-/.test(composeService)) return undefined;
  const m = composeService.match(/^redis-(\d+|cluster-init)$/);
  return m ? 'redis' : composeService;
}

const networksOf = (svc: { networks?: string[] | Record<string, unknown> | null }): string[] =>
  !svc.networks ? ['default'] : Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks);

/**
 * Differences between the compose file's network membership and the policy, in words (empty: same membership).
 * Every policy service must be in the compose file with exactly the policy's networks, and vice versa.
 */
export function composeMembershipProblems(policy: SegmentationPolicy, doc: ComposeDoc): string[] {
  const problems: string[] = [];
  const declared = Object.keys(doc.networks ?? {});
  for (const n of Object.keys(policy.networks)) if (!declared.includes(n)) problems.push(`network "${n}" is not declared under networks:`);
  for (const n of declared) if (!policy.networks[n]) problems.push(`network "${n}" is declared but not in the policy`);
  const seen = new Set<string>();
  for (const [name, svc] of Object.entries(doc.services ?? {})) {
    const service = policyServiceOf(name);
    if (!service) continue;
    // A helper in another service's namespace (FerretDB's backend PostgreSQL in mongodb's) has that service's membership.
    const shared = /^service:(.+)$/.exec(svc.network_mode ?? '')?.[1];
    if (shared) {
      if (!doc.services?.[shared]) problems.push(`${name}: network_mode names service "${shared}", which is not in the compose file`);
      continue;
    }
    const want = policy.services[service]?.networks;
    if (!want) {
      problems.push(`compose service "${name}" is not in the policy`);
      continue;
    }
    seen.add(service);
    const have = networksOf(svc);
    const missing = want.filter((n) => !have.includes(n));
    const extra = have.filter((n) => !want.includes(n));
    if (missing.length) problems.push(`${name}: missing network(s) ${missing.join(', ')}`);
    if (extra.length) problems.push(`${name}: network(s) ${extra.join(', ')} not in the policy`);
  }
  for (const s of Object.keys(policy.services)) if (!seen.has(s)) problems.push(`policy service "${s}" has no compose service`);
  return problems;
}

/** Probe containers: probe-<network> must exist for every network and sit in that network only. */
export function composeProbeProblems(policy: SegmentationPolicy, doc: ComposeDoc): string[] {
  return Object.keys(policy.networks).flatMap((n) => {
    const svc = doc.services?.[`probe-${n}`];
    if (!svc) return [`no probe container "probe-${n}"`];
    const have = networksOf(svc);
    return have.length === 1 && have[0] === n ? [] : [`probe-${n} must be on network ${n} only (has ${have.join(', ')})`];
  });
}
