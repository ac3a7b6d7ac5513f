import { APPROLE_SERVICES, contextOf, startResult, type AppRoleService, type Check, type CommonOptions, type LoadedConfig, type TaskResult } from '@devstack/core';
import { GAP_REASONS, type VaultCapabilities } from './capabilities';
import { serviceCases, type SecurityCase } from './security-cases';
import { roleCases } from './security-role-cases';
import { SuiteContext, type Observation } from './security-context';

export type Verdict = 'passed' | 'finding' | 'skipped' | 'failed';

export interface CaseOutcome {
  id: string;
  service: string;
  requirement: string;
  verdict: Verdict;
  observed: string;
  reason?: string;
  durationMs: number;
}

/**
 * The verdict rule. A secure answer passes. A known gap of this server is a finding (a failing
 * security check) or an explicit skip, as the case declares, but only when the server behaves exactly
 * as that gap predicts; anything else fails.
 */
export function verdictOf(c: Pick<SecurityCase, 'secure' | 'gap' | 'onGap' | 'gapBehaviour'>, o: Observation, caps: Pick<VaultCapabilities, 'knownGaps'>): { verdict: Verdict; reason?: string } {
  if (c.secure(o)) return { verdict: 'passed' };
  if (c.gap && caps.knownGaps.includes(c.gap) && c.gapBehaviour?.(o)) {
    return { verdict: c.onGap === 'skipped' ? 'skipped' : 'finding', reason: c.gap };
  }
  return { verdict: 'failed' };
}

export function suiteCases(services: readonly AppRoleService[] = APPROLE_SERVICES): SecurityCase[] {
  return [...services.flatMap(serviceCases), ...roleCases()];
}

export interface SuiteRun {
  caps: VaultCapabilities;
  outcomes: CaseOutcome[];
  cleanupProblems: string[];
}

export async function runSecuritySuite(config: LoadedConfig, options: { services?: readonly AppRoleService[]; progress?: (m: string) => void } = {}): Promise<SuiteRun> {
  const ctx = await SuiteContext.open(config);
  const outcomes: CaseOutcome[] = [];
  let cleanupProblems: string[] = [];
  try {
    for (const c of suiteCases(options.services)) {
      options.progress?.(c.id);
      const t0 = Date.now();
      try {
        const o = await c.run(ctx);
        const v = verdictOf(c, o, ctx.caps);
        outcomes.push({ id: c.id, service: c.service, requirement: c.requirement, verdict: v.verdict, observed: o.detail, reason: v.reason, durationMs: Date.now() - t0 });
      } catch (err) {
        outcomes.push({ id: c.id, service: c.service, requirement: c.requirement, verdict: 'failed', observed: `error: ${(err as Error).message}`, durationMs: Date.now() - t0 });
      }
    }
  } finally {
    cleanupProblems = await ctx.cleanup();
  }
  return { caps: ctx.caps, outcomes, cleanupProblems };
}

export interface TestOptions extends CommonOptions {
  services?: string[];
}

export function checkOf(o: CaseOutcome): Check {
  return {
    name: o.id,
    passed: o.verdict === 'passed',
    skipped: o.verdict === 'skipped' ? true : undefined,
    expected: o.requirement,
    observed: o.observed,
    detail: o.verdict === 'finding' ? `SECURITY FINDING: ${o.reason} (see warnings)` : o.verdict === 'skipped' ? `skipped: ${o.reason} (see warnings)` : undefined,
    durationMs: o.durationMs,
  };
}

/** `vault test`: the suite as a product check; findings and failures are failing checks (exit 1). */
export async function securityTest(options: TestOptions): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const services = (options.services?.length ? options.services : APPROLE_SERVICES) as AppRoleService[];
  const result = startResult('vault', 'test');
  const run = await runSecuritySuite(config, { services, progress });
  result.server = run.caps.server;
  result.checks.push(...run.outcomes.map(checkOf));
  result.checks.push({
    name: 'cleanup: test roles deleted, scratch secrets removed, tokens revoked',
    passed: run.cleanupProblems.length === 0,
    expected: 'no leftovers',
    observed: run.cleanupProblems.join('; ') || 'no leftovers',
  });
  const groups = [...new Set(run.outcomes.map((o) => o.service))];
  const count = (s: string | undefined, v: Verdict) => run.outcomes.filter((o) => (!s || o.service === s) && o.verdict === v).length;
  result.tables.push({
    title: `AppRole security suite on ${run.caps.server.name} ${run.caps.server.version} (policy API: ${run.caps.policyApi ? 'yes' : 'no'})`,
    head: ['service', 'cases', 'passed', 'findings', 'skipped', 'failed'],
    rows: [...groups, undefined].map((s) => [s ?? 'total', run.outcomes.filter((o) => !s || o.service === s).length, count(s, 'passed'), count(s, 'finding'), count(s, 'skipped'), count(s, 'failed')]),
  });
  for (const gap of run.caps.knownGaps) result.warnings.push(`${gap}: ${GAP_REASONS[gap]}`);
  result.data = { capabilities: run.caps, outcomes: run.outcomes };
  return result.finish();
}
