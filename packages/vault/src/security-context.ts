import { kvPath, readAppRole, type AppRoleCredentials, type LoadedConfig } from '@devstack/core';
import { probeCapabilities, rootToken, type VaultCapabilities } from './capabilities';
import { describe, vaultRequest, type VaultReply } from './http';
import { deleteRole, loginToken, revokeToken } from './roles';

/** What one security case observed: status and error text of the refusal (or success), plus facts. */
export interface Observation {
  status: number;
  errors: string[];
  /** Secret-free summary for the result table. */
  detail: string;
  facts?: Record<string, unknown>;
}

export function observe(reply: VaultReply, detail?: string, facts?: Record<string, unknown>): Observation {
  return { status: reply.status, errors: reply.errors, detail: detail ?? describe(reply), facts };
}

/** The folder holding every service's secret as LIST wants it: v1 `secret/devstack`, v2 `secret/metadata/devstack`. */
export function kvListPath(config: Pick<LoadedConfig, 'vault'>): string {
  const mount = config.vault.kvMount.replace(/\/+$/, '');
  return config.vault.kvVersion === 2 ? `${mount}/metadata/devstack` : `${mount}/devstack`;
}

/** Shared state of one suite run; everything it creates is recorded here and removed by cleanup(). */
export class SuiteContext {
  readonly tokens = new Map<string, string>();
  readonly issued: string[] = [];
  readonly roles: string[] = [];
  readonly paths: string[] = [];

  private constructor(
    readonly config: LoadedConfig,
    readonly caps: VaultCapabilities,
    readonly root: string,
  ) {}

  static async open(config: LoadedConfig): Promise<SuiteContext> {
    const caps = await probeCapabilities(config);
    return new SuiteContext(config, caps, rootToken(config));
  }

  creds(service: string): AppRoleCredentials {
    const c = readAppRole(this.config, service);
    if (!c) throw new Error(`no AppRole files for ${service} under .devstack/approles/${service}/: run npx nx run vault:bootstrap`);
    return c;
  }

  /** A fresh token of the service's real AppRole (revoked at cleanup). */
  async login(service: string): Promise<string> {
    const c = this.creds(service);
    const token = await loginToken(this.config, c.roleId, c.secretId);
    this.issued.push(token);
    return token;
  }

  /** One token per service, reused by the read-only cases. */
  async token(service: string): Promise<string> {
    if (!this.tokens.has(service)) this.tokens.set(service, await this.login(service));
    return this.tokens.get(service)!;
  }

  read(path: string, token: string): Promise<VaultReply> {
    return vaultRequest(this.config, 'GET', path, { token });
  }

  /** The KV folder that holds every service's secret, as LIST expects it for this KV version. */
  listPath(): string {
    return kvListPath(this.config);
  }

  /** A scratch KV path outside every service's own path (deleted at cleanup). */
  scratch(name: string): string {
    const p = kvPath(this.config, `vt-${name}`);
    this.paths.push(p);
    return p;
  }

  async cleanup(): Promise<string[]> {
    const problems: string[] = [];
    for (const t of this.issued.splice(0)) {
      await revokeToken(this.config, this.root, t).catch((e: Error) => {
        // A token that already expired or was revoked by its case is gone: that is the goal.
        if (!/403|400|permission denied|invalid/i.test(e.message)) problems.push(`revoke token: ${e.message}`);
      });
    }
    this.tokens.clear();
    for (const r of this.roles.splice(0)) await deleteRole(this.config, this.root, r).catch((e: Error) => problems.push(`delete role ${r}: ${e.message}`));
    for (const p of this.paths.splice(0)) {
      const target = this.config.vault.kvVersion === 2 ? p.replace('/data/', '/metadata/') : p;
      await vaultRequest(this.config, 'DELETE', target, { token: this.root }).catch((e: Error) => problems.push(`delete ${p}: ${e.message}`));
    }
    return problems;
  }
}
