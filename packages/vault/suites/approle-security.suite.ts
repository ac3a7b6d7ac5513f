import { loadConfig } from '@devstack/core';
import { suiteCases, SuiteContext, vaultRequest, GAP_REASONS } from '../src';

/**
 * The AppRole security suite against the live stack's Vault. Where the server has a known gap
 * (docs/vault-compatibility.md) the case pins the server's exact behaviour instead of the secure
 * answer, so this suite fails the day the behaviour changes; `npx nx run vault:security` reports
 * the same gaps as failing security findings.
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
    expect(ctx.caps.server.name).toMatch(/^(RustyVault|Vault\/OpenBao)$/);
  });

  test('policy API: stores and returns a policy, or answers 404 (RustyVault 0.2)', async () => {
    const put = await vaultRequest(config, 'PUT', 'sys/policies/acl/devstack-suite-probe', { token: ctx.root, body: { policy: 'path "x" { capabilities = ["read"] }' } });
    const get = await vaultRequest(config, 'GET', 'sys/policies/acl/devstack-suite-probe', { token: ctx.root });
    await vaultRequest(config, 'DELETE', 'sys/policies/acl/devstack-suite-probe', { token: ctx.root });
    if (ctx.caps.policyApi) {
      expect([put.status, get.status]).toEqual([204, 200]);
    } else {
      // Known gap: no policy API at all, so tokens carry names of policies that do not exist.
      expect({ put: put.status, get: get.status, legacy: ctx.caps.policyApiDetail }).toEqual({ put: 404, get: 404, legacy: expect.stringMatching(/sys\/policy\/\S+ -> 404, GET -> 404/) });
      expect(ctx.caps.knownGaps).toContain('no-policy-api');
    }
  });
});

describe('AppRole security cases', () => {
  for (const c of suiteCases()) {
    const label = c.gap ? `${c.id} [pinned as known gap "${c.gap}" where the server has it]` : c.id;
    test(label, async () => {
      const o = await c.run(ctx);
      const observed = { status: o.status, errors: o.errors, detail: o.detail };
      if (c.gap && ctx.caps.knownGaps.includes(c.gap)) {
        // The server lacks the feature: assert exactly what it does (unfortunately), and that it is not secure.
        expect({ secure: c.secure(o), matchesKnownGap: c.gapBehaviour!(o), gap: GAP_REASONS[c.gap], observed }).toEqual({
          secure: false,
          matchesKnownGap: true,
          gap: GAP_REASONS[c.gap],
          observed,
        });
      } else {
        expect({ secure: c.secure(o), requirement: c.requirement, observed }).toEqual({ secure: true, requirement: c.requirement, observed });
      }
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
