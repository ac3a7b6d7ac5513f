import { appRoleToken, kvBody, kvData, kvPath, vaultClient, vaultFailure, type LoadedConfig, type VaultClient } from '@devstack/core';
import { Lazy, type Backend } from '../backend';
import type { ApiOptions } from '../options';

/**
 * One KV read per request with the api's own AppRole token (renewed by core). The api's secret
 * (secret/devstack/api) holds no credential, only a marker, and is created on first use; where the
 * token may not write it, the api reads the postgres secret instead. Responses name keys, never values.
 */
export function vaultBackend(config: LoadedConfig, _options: ApiOptions, warn: (m: string) => void): Backend {
  let client: { token: string; vault: VaultClient } | undefined;
  const clientFor = async (): Promise<VaultClient> => {
    const token = await appRoleToken(config, 'api');
    if (!token) throw new Error('no AppRole files under .devstack/approles/api/ (run stack up)');
    if (client?.token !== token) client = { token, vault: vaultClient(config, token) };
    return client.vault;
  };
  const target = new Lazy(async () => {
    const vault = await clientFor();
    const own = kvPath(config, 'api');
    try {
      await vault.read(own);
      return own;
    } catch (err) {
      if (vaultFailure(err)?.status !== 404) throw err;
    }
    try {
      await vault.write(own, kvBody(config, { purpose: 'devstack api load target', createdAt: new Date().toISOString() }));
      return own;
    } catch (err) {
      warn(`vault: cannot create ${own} (${vaultFailure(err)?.status ?? (err as Error).message}); reading ${kvPath(config, 'postgres')} instead`);
      return kvPath(config, 'postgres');
    }
  });
  return {
    name: 'vault',
    async read() {
      const path = await target.get();
      const data = kvData(config, (await (await clientFor()).read(path)) as { data?: Record<string, unknown> });
      return { path, keys: Object.keys(data).sort() };
    },
    async ping() {
      const status = (await (await clientFor()).status()) as { sealed?: boolean };
      if (status.sealed) throw new Error('Vault is sealed');
    },
    async close() {
      client = undefined;
      target.reset();
    },
  };
}
