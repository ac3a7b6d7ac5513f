import { randomUUID } from 'node:crypto';
import { APPROLE_SERVICES, kvBody, kvData, kvPath, policyName, READABLE_SECRETS, ROLE_SETTINGS, type AppRoleService } from '@devstack/core';
import type { KnownGap } from './capabilities';
import { dataOf, login, vaultRequest } from './http';
import { INVALID_ROLE_ID, INVALID_SECRET_ID, missingField, PERMISSION_DENIED } from './refusals';
import { revokeToken } from './roles';
import { observe, type Observation, type SuiteContext } from './security-context';

/**
 * The AppRole security suite as data. Each case states what a secure server answers (`secure`) and,
 * where a known server gap decides the case, the exact behaviour of a server with that gap
 * (`gapBehaviour`), so the jest suite can pin it and the product task can report it as a finding.
 */
export interface SecurityCase {
  id: string;
  /** A service name, or 'suite' for cases on throw-away test roles. */
  service: string;
  requirement: string;
  gap?: KnownGap;
  /** finding: the gap is a security failure; skipped: the property cannot be observed on this server. */
  onGap?: 'finding' | 'skipped';
  run(ctx: SuiteContext): Promise<Observation>;
  secure(o: Observation): boolean;
  gapBehaviour?(o: Observation): boolean;
}


const has = (o: Observation, status: number, re: RegExp) => o.status === status && o.errors.some((e) => re.test(e));
/** The secrets that exist for the services (the api has no secret of its own: it reads the databases'). */
export const SECRET_OWNERS = ['postgres', 'mysql', 'mongodb', 'redis'] as const;

export function serviceCases(service: AppRoleService): SecurityCase[] {
  const readable = READABLE_SECRETS[service].filter((s) => (SECRET_OWNERS as readonly string[]).includes(s));
  const cases: SecurityCase[] = [
    {
      id: `${service}: valid login and own secret read`,
      service,
      requirement: `200 login; 200 read of ${readable.join(', ')} with a password`,
      async run(ctx) {
        const token = await ctx.token(service);
        const reads = await Promise.all(readable.map((s) => ctx.read(kvPath(ctx.config, s), token)));
        const bad = reads.find((r) => r.status !== 200 || !kvData(ctx.config, r.body as { data?: Record<string, unknown> }).password);
        return observe(bad ?? reads[0], bad ? undefined : `login 200; ${readable.length} read(s) 200 with password`, { allRead: !bad });
      },
      secure: (o) => o.status === 200 && o.facts?.allRead === true,
    },
    {
      id: `${service}: invalid role_id refused`,
      service,
      requirement: '400 invalid role_id',
      run: async (ctx) => observe(await login(ctx.config, { role_id: randomUUID(), secret_id: ctx.creds(service).secretId })),
      secure: (o) => has(o, 400, INVALID_ROLE_ID),
    },
    {
      id: `${service}: invalid secret_id refused`,
      service,
      requirement: '400 invalid secret id',
      run: async (ctx) => observe(await login(ctx.config, { role_id: ctx.creds(service).roleId, secret_id: randomUUID() })),
      secure: (o) => has(o, 400, INVALID_SECRET_ID),
    },
    {
      id: `${service}: missing role_id refused`,
      service,
      requirement: '400 missing role_id',
      run: async (ctx) => observe(await login(ctx.config, { secret_id: ctx.creds(service).secretId })),
      secure: (o) => has(o, 400, missingField('role_id')),
    },
    {
      id: `${service}: missing secret_id refused`,
      service,
      requirement: '400 missing secret_id',
      run: async (ctx) => observe(await login(ctx.config, { role_id: ctx.creds(service).roleId })),
      secure: (o) => has(o, 400, missingField('secret_id')),
    },
    {
      id: `${service}: role carries secret_id_ttl 30d, token_ttl 1h, token_max_ttl 24h`,
      service,
      requirement: 'secret_id_ttl 2592000, token_ttl 3600, token_max_ttl 86400',
      async run(ctx) {
        const r = await vaultRequest(ctx.config, 'GET', `auth/approle/role/${service}`, { token: ctx.root });
        const d = dataOf(r) ?? {};
        return observe(r, `secret_id_ttl ${d.secret_id_ttl}, token_ttl ${d.token_ttl}, token_max_ttl ${d.token_max_ttl}`, d);
      },
      secure: (o) => o.status === 200 && o.facts?.secret_id_ttl === 30 * 86400 && o.facts?.token_ttl === 3600 && o.facts?.token_max_ttl === 86400,
    },
  ];
  for (const other of SECRET_OWNERS) {
    if (other === service || READABLE_SECRETS[service].includes(other)) continue;
    cases.push({
      id: `${service}: cross-service read of ${other} denied`,
      service,
      requirement: '403 permission denied',
      gap: 'no-policy-api',
      onGap: 'finding',
      async run(ctx) {
        const r = await ctx.read(kvPath(ctx.config, other), await ctx.token(service));
        const leaked = r.status === 200 && !!kvData(ctx.config, r.body as { data?: Record<string, unknown> }).password;
        return observe(r, leaked ? `200: ${other}'s password readable` : undefined, { leaked });
      },
      secure: (o) => has(o, 403, PERMISSION_DENIED),
      gapBehaviour: (o) => o.status === 200 && o.facts?.leaked === true,
    });
  }
  cases.push(
    {
      id: `${service}: write outside own path denied`,
      service,
      requirement: '403 permission denied',
      gap: 'no-policy-api',
      onGap: 'finding',
      async run(ctx) {
        const p = ctx.scratch(`write-${service}`);
        return observe(await vaultRequest(ctx.config, 'PUT', p, { token: await ctx.token(service), body: kvBody(ctx.config, { probe: 'x' }) }));
      },
      secure: (o) => has(o, 403, PERMISSION_DENIED),
      gapBehaviour: (o) => o.status === 204 || o.status === 200,
    },
    {
      id: `${service}: delete outside own path denied`,
      service,
      requirement: '403 permission denied (and the secret survives)',
      gap: 'no-policy-api',
      onGap: 'finding',
      async run(ctx) {
        const p = ctx.scratch(`canary-${service}`);
        const put = await vaultRequest(ctx.config, 'PUT', p, { token: ctx.root, body: kvBody(ctx.config, { canary: 'x' }) });
        if (put.status >= 300) throw new Error(`cannot write the canary secret as operator: ${put.status}`);
        const del = await vaultRequest(ctx.config, 'DELETE', p, { token: await ctx.token(service) });
        const after = await vaultRequest(ctx.config, 'GET', p, { token: ctx.root });
        return observe(del, undefined, { survived: after.status === 200 });
      },
      secure: (o) => has(o, 403, PERMISSION_DENIED) && o.facts?.survived === true,
      gapBehaviour: (o) => o.status === 204 && o.facts?.survived === false,
    },
    {
      id: `${service}: list outside own path denied`,
      service,
      requirement: '403 permission denied',
      gap: 'no-policy-api',
      onGap: 'finding',
      async run(ctx) {
        const r = await vaultRequest(ctx.config, 'LIST', ctx.listPath(), { token: await ctx.token(service) });
        const keys = (dataOf(r)?.keys as string[] | undefined) ?? [];
        return observe(r, r.status === 200 ? `200: lists ${keys.length} keys under devstack/` : undefined, { keys: keys.length });
      },
      secure: (o) => has(o, 403, PERMISSION_DENIED),
      gapBehaviour: (o) => o.status === 200 && (o.facts?.keys as number) >= SECRET_OWNERS.length,
    },
    {
      id: `${service}: login token policies exactly [default, ${policyName(service)}]`,
      service,
      requirement: `auth.policies = default, ${policyName(service)}`,
      async run(ctx) {
        const c = ctx.creds(service);
        const r = await login(ctx.config, { role_id: c.roleId, secret_id: c.secretId });
        const auth = r.body?.auth as { client_token?: string; policies?: string[] } | undefined;
        if (auth?.client_token) ctx.issued.push(auth.client_token);
        const policies = [...(auth?.policies ?? [])].sort();
        return observe(r, `policies: ${policies.join(', ') || '(none)'}`, { policies });
      },
      secure: (o) => o.status === 200 && JSON.stringify(o.facts?.policies) === JSON.stringify(['default', policyName(service)].sort()),
    },
    {
      id: `${service}: token lookup shows exactly [default, ${policyName(service)}]`,
      service,
      requirement: `auth/token/lookup-self policies = default, ${policyName(service)}`,
      gap: 'token-entry-without-policies',
      // Not observable: the server never consults token policies (no ACL); the hole is reported by the denial cases.
      onGap: 'skipped',
      async run(ctx) {
        const r = await vaultRequest(ctx.config, 'GET', 'auth/token/lookup-self', { token: await ctx.token(service) });
        const policies = [...((dataOf(r)?.policies as string[] | undefined) ?? [])].sort();
        return observe(r, `policies: ${policies.join(', ') || '(none)'}`, { policies });
      },
      secure: (o) => o.status === 200 && JSON.stringify(o.facts?.policies) === JSON.stringify(['default', policyName(service)].sort()),
      gapBehaviour: (o) => o.status === 200 && (o.facts?.policies as string[]).length === 0,
    },
    {
      id: `${service}: revoked token refused`,
      service,
      requirement: '403 permission denied',
      async run(ctx) {
        const token = await ctx.login(service);
        await revokeToken(ctx.config, ctx.caps, ctx.root, token);
        return observe(await ctx.read(kvPath(ctx.config, readable[0]), token));
      },
      secure: (o) => has(o, 403, PERMISSION_DENIED),
    },
  );
  return cases;
}

export function allServiceCases(): SecurityCase[] {
  return APPROLE_SERVICES.flatMap(serviceCases);
}

export { ROLE_SETTINGS };
