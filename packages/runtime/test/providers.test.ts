import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, DevstackError, REDIS_NODE_TIMEOUT_MS } from '@devstack/core';
import { redisNodeConfig } from '../src/local/redis-cluster';
import { StackLayout } from '../src/local/layout';
import { vaultConfigText } from '../src/local/vault-server';
import { socketAdmin } from '../src/local/mariadb-server';
import { composeNames } from '@devstack/core';
import { ExternalProvider, providerFor } from '../src/providers';

const root = mkdtempSync(path.join(os.tmpdir(), 'devstack-prov-'));
writeFileSync(path.join(root, 'nx.json'), '{}');
const config = loadConfig({ root, env: {} });

describe('providers', () => {
  it('picks the provider named by the config', () => {
    expect(providerFor(config).name).toBe('local');
    expect(providerFor(loadConfig({ root, env: { DEVSTACK_PROVIDER: 'external' } })).name).toBe('external');
  });

  it('external provider refuses restarts and config changes with UNSUPPORTED (exit 2)', async () => {
    const ext = new ExternalProvider(config);
    await expect(ext.restart('postgres')).rejects.toMatchObject({ code: 'UNSUPPORTED', exitCode: 2 });
    await expect(ext.applyConfig('redis')).rejects.toThrow('The external provider cannot apply a config to redis');
    await expect(ext.up()).rejects.toBeInstanceOf(DevstackError);
  });

  it('names six compose containers for the Redis cluster', () => {
    expect(composeNames(['vault', 'redis'])).toEqual(['vault', 'redis-1', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'redis-6']);
  });
});

describe('local server configs', () => {
  const layout = new StackLayout(config);

  it('redis node config: stack defaults, then the profile, then the node placement (later lines win)', () => {
    const text = redisNodeConfig(config, layout, 2, 'pw').split('\n');
    // No 5 s wait for more replicas before a full sync (one replica per master); a profile may override it.
    expect(text[0]).toBe('repl-diskless-sync-delay 0');
    expect(text[1]).toBe(`include ${layout.activeConfig('redis')}`);
    expect(text).toContain('port 17002');
    expect(text).toContain('cluster-enabled yes');
    expect(text).toContain(`cluster-node-timeout ${REDIS_NODE_TIMEOUT_MS}`);
    expect(text.indexOf('port 17002')).toBeGreaterThan(0);
  });

  it('vault config: raft storage, loopback listener with its own cluster address', () => {
    const text = vaultConfigText(config, '/d');
    expect(text).toContain('storage "raft" {');
    expect(text).toContain('address = "127.0.0.1:18200"');
    expect(text).toContain('cluster_address = "127.0.0.1:18201"');
    expect(text).toContain('tls_disable = true');
    expect(text).toContain('performance_multiplier = 1');
    expect(text).not.toContain('storage "file"');
  });
});

describe('MariaDB socket admin', () => {
  it('is root for root, and the OS user (install-db made <user>@localhost) for anyone else', () => {
    expect(socketAdmin(0, 'ignored')).toBe('root');
    expect(socketAdmin(1001, 'dsuser')).toBe('dsuser');
  });
});
