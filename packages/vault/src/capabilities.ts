import { DevstackError, endpointsOf, operatorClient, readVaultInit, type LoadedConfig } from '@devstack/core';
import { vaultBinary } from '@devstack/runtime';
import { describe, vaultRequest, type VaultReply } from './http';

/** The Vault API server in front of us, probed at runtime (see docs/vault-compatibility.md). */
export interface VaultCapabilities {
  /** The local binary's family when this stack runs it; a remote server answers the same API either way. */
  server: { name: 'OpenBao' | 'Vault' | 'Vault/OpenBao'; version: string };
  /** sys/policies/acl stores a policy that can be read back (every case that expects a 403 relies on it). */
  policyApi: boolean;
  policyApiDetail: string;
}

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
  const version = typeof seal.body?.version === 'string' ? seal.body.version : 'unknown';
  const local = config.provider === 'local' ? vaultBinary(config) : undefined;
  const name: VaultCapabilities['server']['name'] = local?.server ?? 'Vault/OpenBao';

  // A policy API must store what it is given: write a probe policy and read it back.
  const rules = 'path "secret/devstack-capability-probe" {\n  capabilities = ["read"]\n}\n';
  const p = `sys/policies/acl/${PROBE_POLICY}`;
  const w = await vaultRequest(config, 'PUT', p, { token, body: { policy: rules } });
  const r = await vaultRequest(config, 'GET', p, { token });
  const policyApi = w.status < 300 && r.status === 200;
  if (policyApi) await vaultRequest(config, 'DELETE', p, { token });
  return { server: { name, version }, policyApi, policyApiDetail: `PUT ${p} -> ${describe(w)}, GET -> ${describe(r)}` };
}

export { rootToken };
