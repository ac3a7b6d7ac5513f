import type { LoadedConfig } from './config';
import { DevstackError } from './errors';
import { hideSecret, registerSecret } from './redact';
import { readAppRole } from './approle';
import { DEFAULT_USERS, type CredentialService } from './registry';
import { kvData, kvPath, vaultClient, vaultFailure, type VaultClient } from './vault';


/** A service's credentials. `password` is non-enumerable: JSON.stringify and console.log never show it. */
export interface ServiceCredentials {
  user: string;
  readonly password: string;
  source: 'vault-approle' | 'config';
}

interface CachedToken {
  token: string;
  expiresAt: number;
  renewTimer?: NodeJS.Timeout;
}

const tokens = new Map<string, CachedToken>();


/**
 * Log in with the AppRole of `role` (files under .devstack/approles/<role>/) and keep the token
 * fresh: it is renewed at two thirds of its TTL, and re-issued by a new login if renewal fails.
 */
export async function appRoleToken(config: LoadedConfig, role: string): Promise<string | undefined> {
  const key = `${config.stateRoot}|${role}`;
  const cached = tokens.get(key);
  if (cached && cached.expiresAt - Date.now() > 10_000) return cached.token;
  const creds = readAppRole(config, role);
  if (!creds) return undefined;
  const client = vaultClient(config);
  const res = (await client.approleLogin({ role_id: creds.roleId, secret_id: creds.secretId })) as {
    auth: { client_token: string; lease_duration: number; renewable: boolean };
  };
  const token = res.auth.client_token;
  registerSecret(token);
  const ttlMs = Math.max(1, res.auth.lease_duration) * 1000;
  const entry: CachedToken = { token, expiresAt: Date.now() + ttlMs };
  if (res.auth.renewable) {
    entry.renewTimer = setTimeout(() => {
      vaultClient(config, token)
        .tokenRenewSelf({})
        .then((r: { auth?: { lease_duration?: number } }) => {
          entry.expiresAt = Date.now() + (r.auth?.lease_duration ?? 0) * 1000;
        })
        .catch(() => tokens.delete(key));
    }, (ttlMs * 2) / 3);
    entry.renewTimer.unref();
  }
  tokens.set(key, entry);
  return token;
}

export function forgetTokens(): void {
  for (const t of tokens.values()) if (t.renewTimer) clearTimeout(t.renewTimer);
  tokens.clear();
}

export interface CredentialOptions {
  /** The AppRole to log in with (default: the service itself; the api uses its own role). */
  role?: string;
  onWarning?: (message: string) => void;
}

/**
 * The one credential source. Vault first (AppRole login, then the service's KV secret); the
 * config / DEVSTACK_* values are the fallback, with a warning; neither is a clear error.
 */
export async function getCredentials(config: LoadedConfig, service: CredentialService, options: CredentialOptions = {}): Promise<ServiceCredentials> {
  const role = options.role ?? service;
  let vaultProblem = '';
  // Network-level failures (a reset, a hang-up while Vault is busy) get two more tries; HTTP refusals do not.
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const token = await appRoleToken(config, role);
      if (token) {
        const secret = kvData(config, (await vaultClient(config, token).read(kvPath(config, service))) as { data?: Record<string, unknown> });
        if (secret.password) {
          return make(secret.username ?? DEFAULT_USERS[service], secret.password, 'vault-approle');
        }
        vaultProblem = `Vault has no password at ${kvPath(config, service)}`;
      } else {
        vaultProblem = `no AppRole files under .devstack/approles/${role}/`;
      }
      break;
    } catch (err) {
      const f = vaultFailure(err);
      vaultProblem = f ? `Vault answered HTTP ${f.status}: ${f.errors.join('; ') || 'no message'}` : `Vault unreachable (${(err as Error).message})`;
      if (f || attempt === 3) break;
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
  }
  const fallback = config.credentials[service];
  if (fallback?.password) {
    options.onWarning?.(`${service}: using configured credentials (DEVSTACK_${service.toUpperCase()}_PASSWORD or devstack.config.json) because ${vaultProblem}.`);
    return make(fallback.user ?? DEFAULT_USERS[service], fallback.password, 'config');
  }
  throw new DevstackError('SERVICE_DOWN', `No credentials for ${service}: ${vaultProblem}, and no fallback is configured.`, {
    fix: `Start the stack (npx nx run stack:up) so Vault and the AppRoles exist, or set DEVSTACK_${service.toUpperCase()}_PASSWORD.`,
  });
}

function make(user: string, password: string, source: ServiceCredentials['source']): ServiceCredentials {
  return hideSecret({ user, source } as ServiceCredentials, 'password', password);
}

export type { VaultClient };
