import { appRoleToken, kvData, kvPath, vaultClient, type LoadedConfig, type VaultClient } from '@devstack/core';
import type { Backend } from '../backend';
import type { ApiOptions } from '../options';

/**
 * One KV read per request with the api's own AppRole token (renewed by core): its own secret
 * (secret/devstack/api, written by stack up, holds no credential), the one path besides its grants
 * that its read-only policy allows. Responses name keys, never values.
 */
export function vaultBackend(config: LoadedConfig, _options: ApiOptions, _warn: (m: string) => void): Backend {
  let client: { token: string; vault: VaultClient } | undefined;
  const clientFor = async (): Promise<VaultClient> => {
    const token = await appRoleToken(config, 'api');
    if (!token) throw new Error('no AppRole files under .devstack/approles/api/ (run stack up)');
    if (client?.token !== token) client = { token, vault: vaultClient(config, token) };
    return client.vault;
  };
  const path = kvPath(config, 'api');
  return {
    name: 'vault',
    async read() {
      const data = kvData(config, (await (await clientFor()).read(path)) as { data?: Record<string, unknown> });
      return { path, keys: Object.keys(data).sort() };
    },
    async ping() {
      const status = (await (await clientFor()).status()) as { sealed?: boolean };
      if (status.sealed) throw new Error('Vault is sealed');
    },
    async close() {
      client = undefined;
    },
  };
}
