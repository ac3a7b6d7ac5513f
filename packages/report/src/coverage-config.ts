import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DevstackError, SERVICE_REGISTRY, SERVICES } from '@devstack/core';

/** A mapping rule: every given field must match; the test then covers (service, category). */
export interface CoverageRule {
  /** Nx project whose jest results are matched (default: any). */
  project?: string;
  /** Glob on the suite file relative to the package root, e.g. "suites/**\/*failover*". */
  file?: string;
  /** Case-insensitive regular expression on the test's full name. */
  name?: string;
  /** A service, or "$project" for the project's own name (only when that is a service). */
  service: string;
  category: string;
}

export interface CoverageConfig {
  services: string[];
  categories: string[];
  categoryTitles: Record<string, string>;
  /** Per service, the categories that must be covered. */
  required: Record<string, string[]>;
  rules: CoverageRule[];
}

export function coverageConfigPath(root: string): string {
  return path.join(root, 'configs', 'coverage.json');
}

/** Load and validate configs/coverage.json: a bad file is exit 2 naming the key. */
export function loadCoverageConfig(root: string): CoverageConfig {
  const file = coverageConfigPath(root);
  const rel = path.relative(root, file);
  if (!existsSync(file)) {
    throw new DevstackError('BAD_CONFIG', `${rel} does not exist.`, { fix: 'Restore configs/coverage.json from git: git checkout -- configs/coverage.json' });
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new DevstackError('BAD_CONFIG', `${rel} is not valid JSON.`, { cause, fix: `Fix the JSON syntax in ${rel}.` });
  }
  // Services and their required cells come from the service registry unless the file overrides them.
  if (data && typeof data === 'object' && !Array.isArray(data)) data = { ...registryCoverage(), ...(data as object) };
  const problem = validateCoverageConfig(data);
  if (problem) throw new DevstackError('BAD_CONFIG', `${rel}: ${problem}.`, { fix: `Edit ${rel}; see its "$comment" for the format.` });
  const c = data as CoverageConfig;
  return { ...c, categoryTitles: c.categoryTitles ?? {} };
}

/** The matrix rows and required cells of the service registry (its `coverage` field). */
export function registryCoverage(): Pick<CoverageConfig, 'services' | 'required'> {
  return {
    services: [...SERVICES],
    required: Object.fromEntries(SERVICES.map((s) => [s, [...SERVICE_REGISTRY[s].coverage]])),
  };
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

export function validateCoverageConfig(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return 'not an object';
  const c = data as Partial<CoverageConfig>;
  if (!isStringArray(c.services) || c.services.length === 0) return '"services" must be a non-empty list of names';
  if (!isStringArray(c.categories) || c.categories.length === 0) return '"categories" must be a non-empty list of names';
  if (!c.required || typeof c.required !== 'object') return '"required" must map service -> categories';
  for (const [svc, cats] of Object.entries(c.required)) {
    if (!c.services.includes(svc)) return `"required.${svc}": unknown service (services: ${c.services.join(', ')})`;
    if (!isStringArray(cats)) return `"required.${svc}" must be a list of categories`;
    const bad = cats.find((x) => !c.categories!.includes(x));
    if (bad) return `"required.${svc}": unknown category "${bad}" (categories: ${c.categories.join(', ')})`;
  }
  if (!Array.isArray(c.rules)) return '"rules" must be a list';
  for (const [i, r] of c.rules.entries()) {
    if (!r || typeof r.service !== 'string' || typeof r.category !== 'string') return `"rules[${i}]" needs "service" and "category"`;
    if (r.service !== '$project' && !c.services.includes(r.service)) return `"rules[${i}].service": unknown service "${r.service}"`;
    if (!c.categories.includes(r.category)) return `"rules[${i}].category": unknown category "${r.category}"`;
    if (r.name !== undefined) {
      try {
        new RegExp(r.name, 'i');
      } catch {
        return `"rules[${i}].name" is not a valid regular expression`;
      }
    }
  }
  return undefined;
}
