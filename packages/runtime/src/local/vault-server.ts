import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type LoadedConfig, endpointsOf, DevstackError, runCommand, waitFor, type ServiceStatus, operatorClient, readVaultInit, vaultClient, vaultHealth, writeVaultInit, vaultListenerTlsLines } from '@devstack/core';
import { findBinary } from './layout';
import { baseStatus, ownedDir, runningPid, startAndWait, stopByPidFile, type LocalContext, type LocalService } from './service';

export interface VaultBinary {
  path: string;
  /** HashiCorp Vault, OpenBao or RustyVault. */
  server: 'Vault' | 'OpenBao' | 'RustyVault';
}

/** `vault` or `bao` when on PATH, else RustyVault's `rvault` (built by tools/setup.sh). */
export function vaultBinary(): VaultBinary | undefined {
  const vault = findBinary('vault');
  if (vault) return { path: vault, server: 'Vault' };
  const bao = findBinary('bao');
  if (bao) return { path: bao, server: 'OpenBao' };
  const rvault = findBinary('rvault');
  if (rvault) return { path: rvault, server: 'RustyVault' };
  return undefined;
}

export async function vaultVersion(bin: VaultBinary): Promise<string> {
  const out = await runCommand(bin.path, ['--version']).catch(() => undefined);
  return out?.stdout.match(/v?(\d+\.\d+\.\d+)/)?.[1] ?? 'unknown';
}

/** Listener TLS settings, written by the tls package when TLS is enabled (undefined: plaintext only). */
export interface VaultListenerTls {
  certFile: string;
  keyFile: string;
  minVersion?: string;
}

export function vaultConfigText(config: LoadedConfig, dataDir: string, pidFile: string, workDir: string, bin: VaultBinary): string {
  const { host, port } = endpointsOf(config).vault;
  const lines = [
    `storage "file" {`,
    `  path = "${dataDir}"`,
    `}`,
    `listener "tcp" {`,
    `  address = "${host}:${port}"`,
    ...(vaultListenerTlsLines(config, bin.server === 'RustyVault') ?? [`  tls_disable = true`]),
    `}`,
    `api_addr = "${vaultListenerTlsLines(config) ? 'https' : 'http'}://${host}:${port}"`,
    `log_level = "info"`,
  ];
  if (bin.server === 'RustyVault') lines.push(`pid_file = "${pidFile}"`, `work_dir = "${workDir}"`);
  else lines.push('disable_mlock = true', 'ui = false');
  return `${lines.join('\n')}\n`;
}

export const vaultService: LocalService = {
  name: 'vault',
  ports: (config) => [config.ports.vault],
  pidNames: () => ['vault'],

  async start(ctx: LocalContext): Promise<void> {
    const { config, layout } = ctx;
    const bin = vaultBinary();
    if (!bin) {
      throw new DevstackError('TOOL_MISSING', 'No Vault API server found (vault, bao or rvault).', {
        fix: 'Run tools/setup.sh: it builds RustyVault with `cargo install rusty_vault --locked`.',
      });
    }
    if (!runningPid(layout, 'vault')) {
      const dataDir = ownedDir(layout.data('vault'), undefined);
      const confDir = ownedDir(layout.conf('vault'), undefined);
      const workDir = ownedDir(layout.data('vault-work'), undefined);
      const confFile = path.join(confDir, 'config.hcl');
      writeFileSync(confFile, vaultConfigText(config, dataDir, path.join(layout.run, 'vault.server.pid'), workDir, bin), { mode: 0o600 });
      ctx.progress(`vault: starting ${bin.server} (${path.basename(bin.path)}) on port ${config.ports.vault}`);
      const args = bin.server === 'RustyVault' ? ['server', '--config', confFile] : ['server', `-config=${confFile}`];
      await startAndWait(layout, 'vault', { name: 'vault', command: bin.path, args, cwd: workDir }, endpointsOf(config).vault, 20000, ctx.signal);
    }
    await initAndUnseal(config, ctx);
  },

  async stop({ layout }) {
    await stopByPidFile(layout, 'vault');
  },

  async status({ config, layout }): Promise<ServiceStatus> {
    const pid = runningPid(layout, 'vault');
    const st = baseStatus('vault', String(config.ports.vault), pid, layout.log('vault'));
    const bin = vaultBinary();
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
  const op = operatorClient(config);
  const mounts = (await op.mounts()) as Record<string, unknown>;
  const list = (mounts.data as Record<string, unknown> | undefined) ?? mounts;
  const mount = `${config.vault.kvMount.replace(/\/+$/, '')}/`;
  if (!Object.keys(list).includes(mount)) {
    ctx.progress(`vault: mounting KV v${config.vault.kvVersion} at ${mount}`);
    await op.mount({ mount_point: config.vault.kvMount, type: 'kv', options: { version: String(config.vault.kvVersion) } });
  }
}
