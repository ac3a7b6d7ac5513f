import { appRoleToken, kvData, kvPath, vaultClient, vaultReader, type LoadedConfig, type VaultClient, type VaultReader } from '@devstack/core';
import type { Backend } from '../backend';
import type { ApiOptions } from '../options';

/**
 * One KV read per request with the api's own AppRole token (renewed by core): its own secret
 * (secret/devstack/api, written by stack up, holds no credential), the one path besides its grants
 * that its read-only policy allows. Responses name keys, never values.
 */
export function vaultBackend(config: LoadedConfig, _options: ApiOptions, _warn: (m: string) => void): Backend {
  // Reads go through core's keep-alive reader (node-vault cost 0.78 ms of api CPU per read); status
  // through node-vault. A new token (renewal failed, fresh login) gets a new pair.
  let client: { token: string; vault: VaultClient; reader: VaultReader } | undefined;
  const clientFor = async () => {
    const token = await appRoleToken(config, 'api');
    if (!token) throw new Error('no AppRole files under .devstack/approles/api/ (run stack up)');
    if (client?.token !== token) {
      client?.reader.close();
      client = { token, vault: vaultClient(config, token), reader: vaultReader(config, token) };
    }
    return client;
  };
  const path = kvPath(config, 'api');
  return {
    name: 'vault',
    async read() {
      const data = kvData(config, await (await clientFor()).reader.read(path));
      return { path, keys: Object.keys(data).sort() };
    },
    async ping() {
      const status = (await (await clientFor()).vault.status()) as { sealed?: boolean };
      if (status.sealed) throw new Error('Vault is sealed');
    },
    async close() {
      client?.reader.close();
      client = undefined;
    },
  };
}
