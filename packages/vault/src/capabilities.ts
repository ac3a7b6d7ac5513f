import { DevstackError, endpointsOf, operatorClient, readVaultInit, type LoadedConfig } from '@devstack/core';
import { vaultBinary, vaultVersion } from '@devstack/runtime';
import { describe, vaultRequest, type VaultReply } from './http';

/**
 * What the Vault API server in front of us actually supports, probed at runtime, so every security
 * case can be honest about it (see docs/vault-compatibility.md).
 */
export interface VaultCapabilities {
  server: { name: 'Vault/OpenBao' | 'RustyVault'; version: string };
  /** sys/policies/acl (or the legacy sys/policy) stores a policy that can be read back. */
  policyApi: boolean;
  policyApiDetail: string;
  /** auth/token/lookup and auth/token/revoke accept the token in the body (Vault); else only in the path. */
  tokenBodyEndpoints: boolean;
  /** Known behaviour of this server that a security case must not mistake for success (empty on Vault). */
  knownGaps: KnownGap[];
}

export type KnownGap = 'no-policy-api' | 'secret-id-ttl-not-enforced' | 'token-entry-without-policies';

export const GAP_REASONS: Record<KnownGap, string> = {
  'no-policy-api':
    'no ACL policy API (sys/policies/acl and sys/policy answer 404): tokens are not restricted to a path, every token reads and writes every path',
  'secret-id-ttl-not-enforced': 'secret_id_ttl is stored (lookup shows expiration_time) but auth/approle/login never checks it: expired secret_ids still log in',
  'token-entry-without-policies': 'tokens issued by a login do not keep their policies: auth/token/lookup* shows policies [] although the login response lists them',
};

const PROBE_POLICY = 'devstack-capability-probe';

/** Fails loudly (exit 3) when Vault is unreachable, uninitialised or sealed: no case may pass then. */
export async function assertVaultUsable(config: LoadedConfig): Promise<VaultReply> {
  let seal: VaultReply;
  try {
    seal = await vaultRequest(config, 'GET', 'sys/seal-status');
  } catch (err) {
    throw new DevstackError('SERVICE_DOWN', `Vault at ${endpointsOf(config).vault.url} is unreachable (${(err as Error).message}).`, {
      fix: 'Start the stack: npx nx run stack:up (and check DEVSTACK_PORT_OFFSET).',
      cause: err,
    });
  }
  if (seal.status !== 200) {
    throw new DevstackError('SERVICE_DOWN', `Vault seal-status answered ${describe(seal)}.`, { fix: 'Check the Vault log under .devstack/logs/.' });
  }
  if (seal.body?.sealed !== false) {
    throw new DevstackError('SERVICE_DOWN', `Vault at ${endpointsOf(config).vault.url} is sealed.`, {
      fix: 'Unseal it: npx nx run stack:up unseals the embedded Vault with its key from .devstack/vault/init.json.',
    });
  }
  return seal;
}

function rootToken(config: LoadedConfig): string {
  return process.env.VAULT_TOKEN || readVaultInit(config)?.root_token || (operatorClient(config) as unknown as { token: string }).token;
}

export async function probeCapabilities(config: LoadedConfig): Promise<VaultCapabilities> {
  const seal = await assertVaultUsable(config);
  const token = rootToken(config);
  const self = await vaultRequest(config, 'GET', 'auth/token/lookup-self', { token });
  if (self.status !== 200) {
    // Typically the wrong Vault (another stack's port) or a stale init.json: nothing below would be meaningful.
    throw new DevstackError('ENVIRONMENT', `Vault at ${endpointsOf(config).vault.url} rejects the operator token: ${describe(self)}.`, {
      fix: 'Check DEVSTACK_PORT_OFFSET points at your own stack, or export VAULT_TOKEN for an external Vault.',
    });
  }
  // Vault and OpenBao report their version in seal-status; RustyVault 0.2 does not.
  const sealVersion = typeof seal.body?.version === 'string' ? seal.body.version : undefined;
  const local = vaultBinary();
  const server: VaultCapabilities['server'] = sealVersion
    ? { name: 'Vault/OpenBao', version: sealVersion }
    : { name: 'RustyVault', version: local?.server === 'RustyVault' ? await vaultVersion(local) : 'unknown' };

  // A policy API must store what it is given: write a probe policy and read it back.
  const rules = 'path "secret/devstack-capability-probe" {\n  capabilities = ["read"]\n}\n';
  let policyApi = false;
  let policyApiDetail = '';
  for (const p of [`sys/policies/acl/${PROBE_POLICY}`, `sys/policy/${PROBE_POLICY}`]) {
    const w = await vaultRequest(config, 'PUT', p, { token, body: { policy: rules, rules } });
    const r = await vaultRequest(config, 'GET', p, { token });
    policyApiDetail += `${policyApiDetail ? '; ' : ''}PUT ${p} -> ${describe(w)}, GET -> ${describe(r)}`;
    if (w.status < 300 && r.status === 200) {
      policyApi = true;
      await vaultRequest(config, 'DELETE', p, { token });
      break;
    }
  }
  const lookup = await vaultRequest(config, 'POST', 'auth/token/lookup', { token, body: { token } });
  const knownGaps: KnownGap[] = [];
  if (!policyApi) knownGaps.push('no-policy-api');
  // Observed in RustyVault 0.2.1's source and verified by the suite (suites/approle-security.suite.ts).
  if (server.name === 'RustyVault') knownGaps.push('secret-id-ttl-not-enforced', 'token-entry-without-policies');
  return { server, policyApi, policyApiDetail, tokenBodyEndpoints: lookup.status === 200, knownGaps };
}

export { rootToken };
