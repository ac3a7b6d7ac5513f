import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LoadedConfig } from './config';
import { registerSecret } from './redact';
import { kvPath, vaultFailure, type VaultClient } from './vault';
import { APPROLE_SERVICES, READABLE_SECRETS, type AppRoleService } from './registry';



export const ROLE_SETTINGS = {
  token_ttl: '1h',
  token_max_ttl: '24h',
  secret_id_ttl: '720h', // 30 days
} as const;

export function policyName(service: string): string {
  return `devstack-${service}`;
}

/** Least privilege: read on the service's own secret path(s), nothing else. */
export function policyFor(config: LoadedConfig, service: AppRoleService): string {
  return READABLE_SECRETS[service]
    .map((s) => `path "${kvPath(config, s)}" {\n  capabilities = ["read"]\n}\n`)
    .join('\n');
}

export function approleDir(config: LoadedConfig, service: string): string {
  return path.join(config.stateRoot, 'approles', service);
}

export interface AppRoleCredentials {
  roleId: string;
  secretId: string;
}

export function readAppRole(config: LoadedConfig, service: string): AppRoleCredentials | undefined {
  const dir = approleDir(config, service);
  const roleFile = path.join(dir, 'role_id');
  const secretFile = path.join(dir, 'secret_id');
  if (!existsSync(roleFile) || !existsSync(secretFile)) return undefined;
  const creds = { roleId: readFileSync(roleFile, 'utf8').trim(), secretId: readFileSync(secretFile, 'utf8').trim() };
  registerSecret(creds.secretId);
  return creds;
}

export function writeAppRole(config: LoadedConfig, service: string, creds: AppRoleCredentials): void {
  const dir = approleDir(config, service);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  chmodSync(path.dirname(dir), 0o700);
  registerSecret(creds.secretId);
  writeFileSync(path.join(dir, 'role_id'), `${creds.roleId}\n`, { mode: 0o600 });
  writeFileSync(path.join(dir, 'secret_id'), `${creds.secretId}\n`, { mode: 0o600 });
}

export interface BootstrapReport {
  roles: string[];
  /** False when the server has no ACL policy endpoint (RustyVault 0.2): roles exist but are not least-privilege. */
  policiesSupported: boolean;
  warnings: string[];
}

/**
 * Idempotent: enables the approle auth method, writes one policy and one role per service, and
 * issues a secret_id only when the stored one no longer logs in.
 */
export async function bootstrapAppRoles(
  config: LoadedConfig,
  operator: VaultClient,
  options: { secretIdNumUses?: number; services?: readonly AppRoleService[] } = {},
): Promise<BootstrapReport> {
  const warnings: string[] = [];
  const auths = (await operator.auths()) as Record<string, unknown>;
  const authList = (auths.data as Record<string, unknown> | undefined) ?? auths;
  if (!Object.keys(authList).includes('approle/')) {
    await operator.enableAuth({ mount_point: 'approle', type: 'approle', description: 'devstack service logins' });
  }
  let policiesSupported = true;
  const roles: string[] = [];
  for (const service of options.services ?? APPROLE_SERVICES) {
    try {
      await operator.write(`sys/policies/acl/${policyName(service)}`, { policy: policyFor(config, service) });
    } catch (err) {
      const f = vaultFailure(err);
      if (f?.status === 404 || f?.status === 405) {
        policiesSupported = false;
      } else throw err;
    }
    await operator.write(`auth/approle/role/${service}`, {
      token_policies: [policyName(service)],
      ...ROLE_SETTINGS,
      secret_id_num_uses: options.secretIdNumUses ?? config.vault.secretIdNumUses ?? 0,
    });
    const roleId = ((await operator.read(`auth/approle/role/${service}/role-id`)) as { data: { role_id: string } }).data.role_id;
    const existing = readAppRole(config, service);
    let usable = false;
    if (existing && existing.roleId === roleId) {
      const lookup = await operator
        .write(`auth/approle/role/${service}/secret-id/lookup`, { secret_id: existing.secretId })
        .catch(() => undefined);
      usable = !!(lookup as { data?: unknown } | undefined)?.data;
    }
    if (!usable) {
      const sid = ((await operator.write(`auth/approle/role/${service}/secret-id`, {})) as { data: { secret_id: string } }).data.secret_id;
      writeAppRole(config, service, { roleId, secretId: sid });
    }
    roles.push(service);
  }
  if (!policiesSupported) {
    warnings.push(
      'This Vault server has no ACL policy API (sys/policies/acl and sys/policy answer 404): AppRoles are created, ' +
        'but their tokens are not restricted to one secret path. See docs/vault-compatibility.md.',
    );
  }
  return { roles, policiesSupported, warnings };
}
