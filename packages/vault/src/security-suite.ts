import { APPROLE_SERVICES, contextOf, startResult, type AppRoleService, type Check, type CommonOptions, type LoadedConfig, type TaskResult } from '@devstack/core';
import type { VaultCapabilities } from './capabilities';
import { serviceCases, type SecurityCase } from './security-cases';
import { roleCases } from './security-role-cases';
import { SuiteContext, type Observation } from './security-context';

/** passed: the secure answer; finding: the server answered, but not with the required refusal; failed: the case could not run. */
export type Verdict = 'passed' | 'finding' | 'failed';

export interface CaseOutcome {
  id: string;
  service: string;
  requirement: string;
  verdict: Verdict;
  observed: string;
  durationMs: number;
}

/** The verdict rule: only the secure answer (status and exact refusal text) passes. */
export function verdictOf(c: Pick<SecurityCase, 'secure'>, o: Observation): Verdict {
  return c.secure(o) ? 'passed' : 'finding';
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
        outcomes.push({ id: c.id, service: c.service, requirement: c.requirement, verdict: verdictOf(c, o), observed: o.detail, durationMs: Date.now() - t0 });
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
    expected: o.requirement,
    observed: o.observed,
    detail: o.verdict === 'finding' ? 'SECURITY FINDING: the server did not refuse as required' : o.verdict === 'failed' ? 'case could not run' : undefined,
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
    head: ['service', 'cases', 'passed', 'findings', 'failed'],
    rows: [...groups, undefined].map((s) => [s ?? 'total', run.outcomes.filter((o) => !s || o.service === s).length, count(s, 'passed'), count(s, 'finding'), count(s, 'failed')]),
  });
  if (!run.caps.policyApi) result.warnings.push(`This server stores no ACL policies (${run.caps.policyApiDetail}): every denial case is a finding.`);
  result.data = { capabilities: run.caps, outcomes: run.outcomes };
  return result.finish();
}
