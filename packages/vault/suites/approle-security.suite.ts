import { loadConfig } from '@devstack/core';
import { suiteCases, SuiteContext, vaultRequest } from '../src';

/**
 * The AppRole security suite against the live stack's Vault (OpenBao on the embedded stack). Every
 * case asserts the secure answer: the status and the server's exact refusal text. The same cases
 * run as `npx nx run vault:security` (a product check: any finding is exit 1).
 */
const config = loadConfig();
let ctx: SuiteContext;

beforeAll(async () => {
  // Rejects (and so fails every case) when Vault is unreachable, sealed or rejects the operator token.
  ctx = await SuiteContext.open(config);
});

afterAll(async () => {
  await ctx?.cleanup();
});

describe('capabilities', () => {
  test('Vault is reachable, unsealed and answers with its server identity', () => {
    expect(ctx.caps.server.name).toMatch(/^(OpenBao|Vault|Vault\/OpenBao)$/);
    expect(ctx.caps.server.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('policy API: stores and returns a policy', async () => {
    const put = await vaultRequest(config, 'PUT', 'sys/policies/acl/devstack-suite-probe', { token: ctx.root, body: { policy: 'path "x" { capabilities = ["read"] }' } });
    const get = await vaultRequest(config, 'GET', 'sys/policies/acl/devstack-suite-probe', { token: ctx.root });
    await vaultRequest(config, 'DELETE', 'sys/policies/acl/devstack-suite-probe', { token: ctx.root });
    expect([put.status, get.status, (get.body?.data as { policy?: string } | undefined)?.policy]).toEqual([204, 200, 'path "x" { capabilities = ["read"] }']);
    expect(ctx.caps.policyApi).toBe(true);
  });
});

describe('AppRole security cases', () => {
  for (const c of suiteCases()) {
    test(c.id, async () => {
      const o = await c.run(ctx);
      const observed = { status: o.status, errors: o.errors, detail: o.detail };
      expect({ secure: c.secure(o), requirement: c.requirement, observed }).toEqual({ secure: true, requirement: c.requirement, observed });
    });
  }
});

describe('cleanup', () => {
  test('test roles, scratch secrets and tokens are removed', async () => {
    const tokens = [...ctx.issued];
    const roles = [...ctx.roles];
    expect(roles.length).toBeGreaterThan(0);
    expect(await ctx.cleanup()).toEqual([]);
    const list = await vaultRequest(config, 'LIST', 'auth/approle/role', { token: ctx.root });
    const left = ((list.body?.data as { keys?: string[] } | undefined)?.keys ?? []).filter((k) => roles.includes(k));
    expect(left).toEqual([]);
    // Every issued token is gone: a read with it is refused.
    for (const t of tokens.slice(0, 5)) {
      const r = await vaultRequest(config, 'GET', 'auth/token/lookup-self', { token: t });
      expect([r.status, r.errors.join()]).toEqual([403, expect.stringMatching(/permission denied/i)]);
    }
  });
});
