import { rmSync } from 'node:fs';
import { approleDir, sleep, writeAppRole } from '@devstack/core';
import { describe, login, vaultRequest } from './http';
import { createTestRole, loginToken } from './roles';
import { INVALID_SECRET_ID, PERMISSION_DENIED } from './refusals';
import { rotateSecretId } from './rotate';
import type { SecurityCase } from './security-cases';
import { observe } from './security-context';

/** Seconds-long TTLs: long enough for the first login on a loaded 2-core machine, short enough to wait out. */
export const SHORT_TTL_S = 2;
const WAIT_MS = (SHORT_TTL_S + 1.5) * 1000;
/** token_max_ttl of the max-TTL case: renewal may extend a token past token_ttl, never past this. */
export const MAX_TTL_S = 4;

/** Cases on throw-away roles (prefix vt-), which the suite deletes at cleanup. */
export function roleCases(): SecurityCase[] {
  return [
    {
      id: `expired secret_id refused (test role, secret_id_ttl ${SHORT_TTL_S}s)`,
      service: 'suite',
      requirement: '400 invalid secret id after the TTL',
      async run(ctx) {
        const role = await createTestRole(ctx.config, ctx.root, 'sidttl', { secret_id_ttl: `${SHORT_TTL_S}s`, token_ttl: '60s', token_max_ttl: '60s' });
        ctx.roles.push(role.name);
        const lookup = await vaultRequest(ctx.config, 'POST', `auth/approle/role/${role.name}/secret-id/lookup`, { token: ctx.root, body: { secret_id: role.secretId } });
        await sleep(WAIT_MS);
        const r = await login(ctx.config, { role_id: role.roleId, secret_id: role.secretId });
        const token = (r.body?.auth as { client_token?: string } | undefined)?.client_token;
        if (token) ctx.issued.push(token);
        const ttl = (lookup.body?.data as { secret_id_ttl?: number } | undefined)?.secret_id_ttl;
        return observe(r, token ? `200: logged in ${WAIT_MS / 1000}s after issue with a ${ttl}s secret_id` : undefined, { storedTtl: ttl });
      },
      secure: (o) => o.status === 400 && o.errors.some((e) => INVALID_SECRET_ID.test(e)),
    },
    {
      id: `expired token refused (test role, token_ttl ${SHORT_TTL_S}s)`,
      service: 'suite',
      requirement: '200 lookup-self before, 403 permission denied after the TTL',
      async run(ctx) {
        const role = await createTestRole(ctx.config, ctx.root, 'tokttl', { token_ttl: `${SHORT_TTL_S}s`, token_max_ttl: `${SHORT_TTL_S}s` });
        ctx.roles.push(role.name);
        const token = await loginToken(ctx.config, role.roleId, role.secretId);
        ctx.issued.push(token);
        const before = await vaultRequest(ctx.config, 'GET', 'auth/token/lookup-self', { token });
        await sleep(WAIT_MS);
        const after = await vaultRequest(ctx.config, 'GET', 'auth/token/lookup-self', { token });
        return observe(after, `before: ${before.status}; after ${WAIT_MS / 1000}s: ${after.status} ${after.errors.join('; ')}`, { before: before.status });
      },
      secure: (o) => o.facts?.before === 200 && o.status === 403 && o.errors.some((e) => PERMISSION_DENIED.test(e)),
    },
    {
      id: `token max TTL enforced (test role, token_ttl ${SHORT_TTL_S}s, token_max_ttl ${MAX_TTL_S}s)`,
      service: 'suite',
      requirement: `renew-self for 1h capped below ${MAX_TTL_S}s with the max_ttl warning; 200 past token_ttl; 403 permission denied past token_max_ttl`,
      async run(ctx) {
        const role = await createTestRole(ctx.config, ctx.root, 'maxttl', { token_ttl: `${SHORT_TTL_S}s`, token_max_ttl: `${MAX_TTL_S}s` });
        ctx.roles.push(role.name);
        const t0 = Date.now();
        const token = await loginToken(ctx.config, role.roleId, role.secretId);
        ctx.issued.push(token);
        const renew = await vaultRequest(ctx.config, 'POST', 'auth/token/renew-self', { token, body: { increment: '1h' } });
        const renewed = (renew.body?.auth as { lease_duration?: number } | undefined)?.lease_duration;
        const capped = ((renew.body?.warnings as string[] | undefined) ?? []).some((w) => /exceeded the effective max_ttl/.test(w));
        await sleep(Math.max(0, t0 + (SHORT_TTL_S + 0.5) * 1000 - Date.now()));
        const pastTtl = await vaultRequest(ctx.config, 'GET', 'auth/token/lookup-self', { token });
        await sleep(Math.max(0, t0 + (MAX_TTL_S + 1.5) * 1000 - Date.now()));
        const after = await vaultRequest(ctx.config, 'GET', 'auth/token/lookup-self', { token });
        return observe(after, `renew-self 1h -> ${renew.status} lease ${renewed}s${capped ? ' (capped)' : ''}; past token_ttl: ${pastTtl.status}; past max: ${describe(after)}`, {
          renewed,
          capped,
          pastTtl: pastTtl.status,
        });
      },
      secure: (o) =>
        typeof o.facts?.renewed === 'number' &&
        (o.facts.renewed as number) <= MAX_TTL_S &&
        o.facts?.capped === true &&
        o.facts?.pastTtl === 200 &&
        o.status === 403 &&
        o.errors.some((e) => PERMISSION_DENIED.test(e)),
    },
    {
      id: 'secret_id use limit enforced (test role, secret_id_num_uses 2)',
      service: 'suite',
      requirement: 'logins 1 and 2 succeed; login 3 is 400 invalid secret id',
      async run(ctx) {
        const role = await createTestRole(ctx.config, ctx.root, 'uses', { secret_id_num_uses: 2, token_ttl: '60s', token_max_ttl: '60s' });
        ctx.roles.push(role.name);
        const statuses: number[] = [];
        for (let i = 0; i < 2; i++) {
          const r = await login(ctx.config, { role_id: role.roleId, secret_id: role.secretId });
          statuses.push(r.status);
          const t = (r.body?.auth as { client_token?: string } | undefined)?.client_token;
          if (t) ctx.issued.push(t);
        }
        const third = await login(ctx.config, { role_id: role.roleId, secret_id: role.secretId });
        return observe(third, `logins: ${statuses.join(', ')}, ${third.status} ${third.errors.join('; ')}`, { first: statuses });
      },
      secure: (o) => JSON.stringify(o.facts?.first) === '[200,200]' && o.status === 400 && o.errors.some((e) => INVALID_SECRET_ID.test(e)),
    },
    {
      id: 'rotation flow (test role): new secret_id logs in, old one destroyed and refused',
      service: 'suite',
      requirement: 'every rotation check passes; the stored secret_id is the new one',
      async run(ctx) {
        const role = await createTestRole(ctx.config, ctx.root, 'rot', { token_ttl: '60s', token_max_ttl: '60s' });
        ctx.roles.push(role.name);
        writeAppRole(ctx.config, role.name, { roleId: role.roleId, secretId: role.secretId });
        try {
          const out = await rotateSecretId(ctx.config, role.name);
          const stored = ctx.creds(role.name).secretId;
          const failed = out.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.observed}`);
          return {
            status: out.oldRefused.status,
            errors: out.oldRefused.errors,
            detail: failed.length ? failed.join('; ') : `old secret_id: ${out.oldRefused.status} ${out.oldRefused.errors.join('; ')}`,
            facts: { allPassed: failed.length === 0, replaced: stored !== role.secretId },
          };
        } finally {
          rmSync(approleDir(ctx.config, role.name), { recursive: true, force: true });
        }
      },
      secure: (o) => o.facts?.allPassed === true && o.facts?.replaced === true && o.status === 400,
    },
  ];
}
