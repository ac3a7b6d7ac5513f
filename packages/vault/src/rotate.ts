import { approleDir, contextOf, DevstackError, readAppRole, startResult, writeAppRole, APPROLE_SERVICES, type CommonOptions, type LoadedConfig, type TaskResult } from '@devstack/core';
import { probeCapabilities, rootToken } from './capabilities';
import { describe, login } from './http';
import { INVALID_SECRET_ID } from './refusals';
import { destroySecretId, loginToken, newSecretId, revokeToken } from './roles';

export interface RotateOptions extends CommonOptions {
  service?: string;
}

export interface RotationOutcome {
  role: string;
  newLogin: string;
  destroy: string;
  oldRefused: { status: number; errors: string[] };
  checks: { name: string; passed: boolean; expected: string; observed: string }[];
}


/**
 * Rotate one role's secret_id: issue a new one, prove it logs in, destroy the old one, prove the old
 * one is refused. The files are replaced as soon as the new secret_id has logged in.
 */
export async function rotateSecretId(config: LoadedConfig, role: string): Promise<RotationOutcome> {
  const current = readAppRole(config, role);
  if (!current) {
    throw new DevstackError('BAD_INPUT', `No AppRole files for "${role}" under ${approleDir(config, role)}.`, { fix: 'Run npx nx run vault:bootstrap first.' });
  }
  await probeCapabilities(config);
  const root = rootToken(config);
  const fresh = await newSecretId(config, root, role);
  const token = await loginToken(config, current.roleId, fresh);
  await revokeToken(config, root, token);
  // Store the proven-good secret_id before the old one is destroyed, so the files never hold a dead one.
  writeAppRole(config, role, { roleId: current.roleId, secretId: fresh });
  const destroyed = await destroySecretId(config, root, role, current.secretId);
  const old = await login(config, { role_id: current.roleId, secret_id: current.secretId });
  const checks = [
    { name: `${role}: new secret_id logs in`, passed: true, expected: '200 with a client token', observed: '200 with a client token' },
    { name: `${role}: old secret_id destroyed`, passed: destroyed.status < 300, expected: '2xx', observed: describe(destroyed) },
    {
      name: `${role}: old secret_id refused`,
      passed: old.status === 400 && old.errors.some((e) => INVALID_SECRET_ID.test(e)),
      expected: '400 invalid secret id',
      observed: describe(old),
    },
  ];
  return { role, newLogin: 'ok', destroy: describe(destroyed), oldRefused: { status: old.status, errors: old.errors }, checks };
}

/** `vault rotate --service <name>` */
export async function rotate(options: RotateOptions): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  if (!options.service) {
    throw new DevstackError('BAD_INPUT', 'Which service? --service is required.', { fix: `Example: npx nx run vault:rotate --service postgres (one of ${APPROLE_SERVICES.join(', ')}).` });
  }
  if (!(APPROLE_SERVICES as readonly string[]).includes(options.service)) {
    throw new DevstackError('BAD_INPUT', `Unknown service "${options.service}".`, { fix: `Use one of ${APPROLE_SERVICES.join(', ')}.` });
  }
  const result = startResult('vault', 'rotate');
  progress(`rotating the secret_id of ${options.service}`);
  const outcome = await rotateSecretId(config, options.service);
  result.checks.push(...outcome.checks);
  result.notes.push(`new secret_id stored in ${approleDir(config, options.service)}/secret_id (0600)`);
  return result.finish();
}
