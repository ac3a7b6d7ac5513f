import { statSync } from 'node:fs';
import * as path from 'node:path';
import {
  APPROLE_SERVICES,
  approleDir,
  bootstrapAppRoles,
  contextOf,
  DevstackError,
  operatorClient,
  policyName,
  startResult,
  type AppRoleService,
  type CommonOptions,
  type TaskResult,
} from '@devstack/core';
import { assertVaultUsable, rootToken } from './capabilities';
import { dataOf, vaultRequest } from './http';

export interface BootstrapOptions extends CommonOptions {
  /** secret_id_num_uses of every role (default: config vault.secretIdNumUses, 0 = unlimited). */
  secretIdNumUses?: number;
  services?: string[];
}

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8).padStart(4, '0');

/**
 * `vault bootstrap`: core's idempotent bootstrap (also run by stack up), then read everything back:
 * role settings, policies on the role, and the permissions of the credential files.
 */
export async function bootstrap(options: BootstrapOptions): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const uses = options.secretIdNumUses ?? config.vault.secretIdNumUses;
  if (!Number.isInteger(uses) || uses < 0) {
    throw new DevstackError('BAD_INPUT', `--secret-id-num-uses must be a whole number >= 0; got ${uses}.`, { fix: 'Use 0 for unlimited, e.g. --secret-id-num-uses 0' });
  }
  const services = (options.services?.length ? options.services : [...APPROLE_SERVICES]) as AppRoleService[];
  const unknown = services.filter((s) => !(APPROLE_SERVICES as readonly string[]).includes(s));
  if (unknown.length) throw new DevstackError('BAD_INPUT', `Unknown service(s): ${unknown.join(', ')}.`, { fix: `Use any of ${APPROLE_SERVICES.join(', ')}.` });
  await assertVaultUsable(config);
  const result = startResult('vault', 'bootstrap');
  progress(`bootstrapping AppRoles for ${services.join(', ')}`);
  const report = await bootstrapAppRoles(config, operatorClient(config), { secretIdNumUses: uses, services });
  result.warnings.push(...report.warnings);
  const root = rootToken(config);
  const rows: (string | number)[][] = [];
  for (const s of services) {
    const d = dataOf(await vaultRequest(config, 'GET', `auth/approle/role/${s}`, { token: root })) ?? {};
    const dir = approleDir(config, s);
    const files = `${mode(dir)} ${mode(path.join(dir, 'role_id'))} ${mode(path.join(dir, 'secret_id'))}`;
    const policies = ((d.token_policies ?? d.policies) as string[] | undefined) ?? [];
    const settingsOk = d.token_ttl === 3600 && d.token_max_ttl === 86400 && d.secret_id_ttl === 2592000 && d.secret_id_num_uses === uses;
    result.checks.push(
      {
        name: `${s}: role settings`,
        passed: settingsOk,
        expected: `token_ttl 3600, token_max_ttl 86400, secret_id_ttl 2592000, secret_id_num_uses ${uses}`,
        observed: `token_ttl ${d.token_ttl}, token_max_ttl ${d.token_max_ttl}, secret_id_ttl ${d.secret_id_ttl}, secret_id_num_uses ${d.secret_id_num_uses}`,
      },
      { name: `${s}: token policies`, passed: policies.length === 1 && policies[0] === policyName(s), expected: policyName(s), observed: policies.join(', ') },
      { name: `${s}: credential files`, passed: files === '0700 0600 0600', expected: 'dir 0700, role_id 0600, secret_id 0600', observed: files },
    );
    rows.push([s, policyName(s), report.policiesSupported ? 'stored' : 'not supported by server', files]);
  }
  result.tables.push({ title: 'AppRoles', head: ['service', 'policy', 'policy on server', 'modes dir/role_id/secret_id'], rows });
  result.data = { policiesSupported: report.policiesSupported, roles: report.roles };
  return result.finish();
}
