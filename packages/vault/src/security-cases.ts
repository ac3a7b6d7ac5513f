import { randomUUID } from 'node:crypto';
import { APPROLE_SERVICES, CONSUMED_SECRETS, grantName, kvBody, kvData, kvPath, policyName, ROLE_SETTINGS, type AppRoleService } from '@devstack/core';
import { dataOf, login, vaultRequest } from './http';
import { INVALID_ROLE_ID, INVALID_SECRET_ID, missingField, PERMISSION_DENIED } from './refusals';
import { revokeToken } from './roles';
import { observe, type Observation, type SuiteContext } from './security-context';

/**
 * The AppRole security suite as data. Each case states what a secure server answers (`secure`):
 * the status and the server's exact refusal text. Anything else is a finding.
 */
export interface SecurityCase {
  id: string;
  /** A service name, or 'suite' for cases on throw-away test roles. */
  service: string;
  requirement: string;
  run(ctx: SuiteContext): Promise<Observation>;
  secure(o: Observation): boolean;
}

const has = (o: Observation, status: number, re: RegExp) => o.status === status && o.errors.some((e) => re.test(e));

/** What a service reads with its own token: its own secret, or the grants stack up copied under its path. */
export function ownReads(service: AppRoleService): string[] {
  return CONSUMED_SECRETS[service].length ? CONSUMED_SECRETS[service].map((s) => grantName(service, s)) : [service];
}

export function serviceCases(service: AppRoleService): SecurityCase[] {
  const readable = ownReads(service);
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
      // OpenBao (like Vault) answers this one with 500: the handler returns a plain error, not a 400 response.
      requirement: '500 missing role_id (no token issued)',
      run: async (ctx) => {
        const r = await login(ctx.config, { secret_id: ctx.creds(service).secretId });
        return observe(r, undefined, { token: !!(r.body?.auth as { client_token?: string } | undefined)?.client_token });
      },
      secure: (o) => has(o, 500, missingField('role_id')) && o.facts?.token === false,
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
  for (const other of APPROLE_SERVICES) {
    if (other === service) continue;
    cases.push({
      id: `${service}: cross-service read of ${other} denied`,
      service,
      requirement: '403 permission denied',
      async run(ctx) {
        const r = await ctx.read(kvPath(ctx.config, other), await ctx.token(service));
        const leaked = r.status === 200;
        return observe(r, leaked ? `200: ${other}'s secret readable` : undefined, { leaked });
      },
      secure: (o) => has(o, 403, PERMISSION_DENIED),
    });
  }
  cases.push(
    {
      id: `${service}: write outside own path denied`,
      service,
      requirement: '403 permission denied',
      async run(ctx) {
        const p = ctx.scratch(`write-${service}`);
        return observe(await vaultRequest(ctx.config, 'PUT', p, { token: await ctx.token(service), body: kvBody(ctx.config, { probe: 'x' }) }));
      },
      secure: (o) => has(o, 403, PERMISSION_DENIED),
    },
    {
      id: `${service}: delete outside own path denied`,
      service,
      requirement: '403 permission denied (and the secret survives)',
      async run(ctx) {
        const p = ctx.scratch(`canary-${service}`);
        const put = await vaultRequest(ctx.config, 'PUT', p, { token: ctx.root, body: kvBody(ctx.config, { canary: 'x' }) });
        if (put.status >= 300) throw new Error(`cannot write the canary secret as operator: ${put.status}`);
        const del = await vaultRequest(ctx.config, 'DELETE', p, { token: await ctx.token(service) });
        const after = await vaultRequest(ctx.config, 'GET', p, { token: ctx.root });
        return observe(del, undefined, { survived: after.status === 200 });
      },
      secure: (o) => has(o, 403, PERMISSION_DENIED) && o.facts?.survived === true,
    },
    {
      id: `${service}: list outside own path denied`,
      service,
      requirement: '403 permission denied',
      async run(ctx) {
        const r = await vaultRequest(ctx.config, 'LIST', ctx.listPath(), { token: await ctx.token(service) });
        const keys = (dataOf(r)?.keys as string[] | undefined) ?? [];
        return observe(r, r.status === 200 ? `200: lists ${keys.length} keys under devstack/` : undefined, { keys: keys.length });
      },
      secure: (o) => has(o, 403, PERMISSION_DENIED),
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
      async run(ctx) {
        const r = await vaultRequest(ctx.config, 'GET', 'auth/token/lookup-self', { token: await ctx.token(service) });
        const policies = [...((dataOf(r)?.policies as string[] | undefined) ?? [])].sort();
        return observe(r, `policies: ${policies.join(', ') || '(none)'}`, { policies });
      },
      secure: (o) => o.status === 200 && JSON.stringify(o.facts?.policies) === JSON.stringify(['default', policyName(service)].sort()),
    },
    {
      id: `${service}: revoked token refused`,
      service,
      requirement: '403 permission denied',
      async run(ctx) {
        const token = await ctx.login(service);
        await revokeToken(ctx.config, ctx.root, token);
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
