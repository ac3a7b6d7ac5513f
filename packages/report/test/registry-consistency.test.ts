import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { composeNames, SERVICE_REGISTRY, SERVICES, type ServiceEntry } from '@devstack/core';
import { loadCoverageConfig } from '../src/coverage-config';

/**
 * The service registry (packages/core/src/registry.ts) is the one list of services. The files that
 * cannot import it (compose, the segmentation policy, CODEOWNERS, k6 scenarios) are checked against it
 * here, so a registry entry and those files cannot drift apart silently.
 */
const WS = path.resolve(__dirname, '../../..');
const read = (rel: string) => readFileSync(path.join(WS, rel), 'utf8');
const entries = Object.entries(SERVICE_REGISTRY) as [string, ServiceEntry][];
/** Services the stack runs (servers and the api); `external` backends have no compose service or network attachment yet. */
const run = entries.filter(([, e]) => e.role !== 'external').map(([n]) => n);

describe('files derived from the service registry', () => {
  it('docker-compose.yml defines every compose service of every registry entry', () => {
    const compose = read('docker-compose.yml');
    const defined = new Set([...compose.matchAll(/^ {2}([a-z0-9-]+):/gm)].map((m) => m[1]));
    const missing = composeNames(SERVICES).filter((n) => !defined.has(n));
    expect(missing).toEqual([]);
  });

  it('configs/network/segmentation.json attaches exactly the registry services', () => {
    const policy = JSON.parse(read('configs/network/segmentation.json')) as { services: Record<string, unknown> };
    expect(Object.keys(policy.services).sort()).toEqual([...run].sort());
  });

  it('.github/CODEOWNERS gives each service package its registry owner', () => {
    const owners = new Map([...read('.github/CODEOWNERS').matchAll(/^\/packages\/([a-z0-9-]+)\/\s+(\S+)/gm)].map((m) => [m[1], m[2]]));
    const wrong = entries.filter(([name, e]) => (owners.has(name) || e.role !== 'external') && owners.get(name) !== e.owner).map(([name, e]) => `${name}: ${owners.get(name) ?? 'none'} != ${e.owner}`);
    expect(wrong).toEqual([]);
  });

  it('the load mix of k6/scenarios.json walks the api route of every registry service that has one, plus /health', () => {
    const file = JSON.parse(read('k6/scenarios.json')) as { scenarios: { sustained: { env: { PATHS: string } } } };
    const routes = entries.flatMap(([, e]) => (e.apiRoute ? [e.apiRoute] : []));
    expect(file.scenarios.sustained.env.PATHS.split(',').sort()).toEqual(['/health', ...routes].sort());
  });

  it('the coverage matrix rows and required cells are the registry entries and their coverage field', () => {
    const c = loadCoverageConfig(WS);
    expect(c.services).toEqual([...SERVICES]);
    for (const [name, e] of entries) expect(c.required[name]).toEqual([...e.coverage]);
  });
});
