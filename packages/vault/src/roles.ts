import { randomBytes } from 'node:crypto';
import { registerSecret, type LoadedConfig } from '@devstack/core';
import { dataOf, describe, login, tokenOf, vaultRequest, type VaultReply } from './http';

/** Operator-side AppRole and token helpers shared by rotate, bench and the security suite. */
export interface RoleHandle {
  name: string;
  roleId: string;
  secretId: string;
}

/** Throw with the server's answer when an operator call fails: setup errors must not look like refusals. */
export function expectOk(reply: VaultReply, what: string): VaultReply {
  if (reply.status >= 300) throw new Error(`${what} failed: ${describe(reply)}`);
  return reply;
}

export async function roleId(config: LoadedConfig, root: string, role: string): Promise<string> {
  const r = expectOk(await vaultRequest(config, 'GET', `auth/approle/role/${role}/role-id`, { token: root }), `read role_id of ${role}`);
  return String(dataOf(r)?.role_id);
}

export async function newSecretId(config: LoadedConfig, root: string, role: string): Promise<string> {
  const r = expectOk(await vaultRequest(config, 'POST', `auth/approle/role/${role}/secret-id`, { token: root, body: {} }), `new secret_id for ${role}`);
  const sid = String(dataOf(r)?.secret_id);
  registerSecret(sid);
  return sid;
}

export async function destroySecretId(config: LoadedConfig, root: string, role: string, secretId: string): Promise<VaultReply> {
  return expectOk(await vaultRequest(config, 'POST', `auth/approle/role/${role}/secret-id/destroy`, { token: root, body: { secret_id: secretId } }), `destroy secret_id of ${role}`);
}

/** A throw-away role (name prefix `vt-`) for cases that need short TTLs or use limits; delete it with deleteRole. */
export async function createTestRole(config: LoadedConfig, root: string, purpose: string, settings: Record<string, unknown>): Promise<RoleHandle> {
  const name = `vt-${purpose}-${randomBytes(3).toString('hex')}`;
  expectOk(await vaultRequest(config, 'POST', `auth/approle/role/${name}`, { token: root, body: settings }), `create test role ${name}`);
  return { name, roleId: await roleId(config, root, name), secretId: await newSecretId(config, root, name) };
}

export async function deleteRole(config: LoadedConfig, root: string, role: string): Promise<void> {
  await vaultRequest(config, 'DELETE', `auth/approle/role/${role}`, { token: root });
}

export async function loginToken(config: LoadedConfig, roleIdValue: string, secretId: string): Promise<string> {
  return tokenOf(await login(config, { role_id: roleIdValue, secret_id: secretId }));
}

/** Token lookup by an operator (the token goes in the body, never in a URL). */
export function lookupToken(config: LoadedConfig, root: string, token: string): Promise<VaultReply> {
  registerSecret(token);
  return vaultRequest(config, 'POST', 'auth/token/lookup', { token: root, body: { token } });
}

export async function revokeToken(config: LoadedConfig, root: string, token: string): Promise<VaultReply> {
  registerSecret(token);
  return expectOk(await vaultRequest(config, 'POST', 'auth/token/revoke', { token: root, body: { token } }), 'revoke token');
}
