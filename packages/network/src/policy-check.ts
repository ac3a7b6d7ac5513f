import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { contextOf, startResult, type CommonOptions, type TaskResult } from '@devstack/core';
import { loadPolicy, planTopology } from '@devstack/runtime';
import { composeMembershipProblems, type ComposeDoc } from './compose-membership';

export const COMPOSE_FILE = 'docker-compose.yml';

export function readCompose(root: string): ComposeDoc | undefined {
  const file = path.join(root, COMPOSE_FILE);
  return existsSync(file) ? (parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeDoc) : undefined;
}

/** Validate the policy, show the planned topology and check docker-compose.yml's membership against it. */
export async function policy(options: CommonOptions): Promise<TaskResult> {
  const { config } = contextOf(options);
  const result = startResult('network', 'policy', { profile: config.provider });
  const p = loadPolicy(config.root);
  const plan = planTopology(p, config);
  result.checks.push({ name: 'policy valid', passed: true, observed: `${Object.keys(p.networks).length} networks, ${Object.keys(p.services).length} services, ${p.flows.length} flows` });
  result.tables!.push({
    title: `Networks (port offset ${config.portOffset})`,
    head: ['network', 'bridge', 'subnet', 'members'],
    rows: plan.bridges.map((b) => [b.network, b.name, b.subnet, Object.entries(p.services).filter(([, s]) => s.networks.includes(b.network)).map(([n]) => n).join(', ')]),
  });
  result.tables!.push({ title: 'Allowed flows (everything else is denied)', head: ['from', 'to', 'ports', 'why'], rows: p.flows.map((f) => [f.from, f.to, f.ports.join(', '), f.why ?? '']) });
  const compose = readCompose(config.root);
  if (compose) {
    const problems = composeMembershipProblems(p, compose);
    result.checks.push({ name: 'docker-compose.yml membership', passed: problems.length === 0, observed: problems.length ? `${problems.length} difference(s)` : 'same as the policy', detail: problems.join('; ') || undefined });
  } else {
    result.warnings!.push('docker-compose.yml not found: compose membership not checked');
  }
  return result.finish();
}
