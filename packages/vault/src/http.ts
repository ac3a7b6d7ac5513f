import { endpointsOf, registerSecret, type LoadedConfig } from '@devstack/core';

/**
 * One raw Vault API call. The security suite needs the exact status and error text of every
 * refusal (and methods such as LIST), so it talks HTTP directly instead of through node-vault.
 */
export interface VaultReply {
  status: number;
  /** The server's error strings: Vault/OpenBao send {errors: [...]} (a bare {error} is read too). */
  errors: string[];
  body: Record<string, unknown> | undefined;
}

export interface RequestOptions {
  token?: string;
  body?: Record<string, unknown>;
  timeoutMs?: number;
}

export async function vaultRequest(config: LoadedConfig, method: string, apiPath: string, options: RequestOptions = {}): Promise<VaultReply> {
  const url = `${endpointsOf(config).vault.url.replace(/\/+$/, '')}/v1/${apiPath.replace(/^\/+/, '')}`;
  const headers: Record<string, string> = {};
  if (options.token !== undefined) {
    registerSecret(options.token);
    headers['X-Vault-Token'] = options.token;
  }
  if (options.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    body: options.body ? JSON.stringify(options.body) : undefined,
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    body = { raw: text };
  }
  const errors = Array.isArray(body?.errors) ? (body!.errors as unknown[]).map(String) : typeof body?.error === 'string' ? [body.error] : [];
  return { status: res.status, errors, body };
}

/** `data` of a reply (undefined when absent). */
export function dataOf(reply: VaultReply): Record<string, unknown> | undefined {
  return reply.body?.data as Record<string, unknown> | undefined;
}

/** Short, secret-free description of a reply for result tables: `403 Permission denied.` */
export function describe(reply: VaultReply): string {
  // OpenBao wraps ACL denials as `1 error occurred:\n\t* permission denied\n\n`: one line in tables.
  return `${reply.status}${reply.errors.length ? ` ${reply.errors.map((e) => e.replace(/\s+/g, ' ').trim()).join('; ')}` : ''}`;
}

export async function login(config: LoadedConfig, body: Record<string, unknown>): Promise<VaultReply> {
  const reply = await vaultRequest(config, 'POST', 'auth/approle/login', { body });
  const token = (reply.body?.auth as { client_token?: string } | undefined)?.client_token;
  if (token) registerSecret(token);
  return reply;
}

export function tokenOf(reply: VaultReply): string {
  const token = (reply.body?.auth as { client_token?: string } | null | undefined)?.client_token;
  if (!token) throw new Error(`AppRole login returned no token (${describe(reply)})`);
  return token;
}
