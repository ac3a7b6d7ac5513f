import { DevstackError, operatorClient, vaultFailure, type LoadedConfig, type VaultClient } from '@devstack/core';

/**
 * The devstack CA in Vault PKI. RustyVault 0.2.1's PKI engine offers: root/generate, config/ca (import),
 * roles, issue, ca/pem, cert/<serial>, revoke, crl. It has no intermediate/generate and no
 * root/sign-intermediate, so the CA is a single root in Vault (probed live: see intermediateSupport).
 */
export const PKI_MOUNT = 'pki';
export const CA_COMMON_NAME = 'devstack CA';
/** CA lifetime; leaves must expire before it (RustyVault refuses a leaf TTL past the CA's notAfter). */
export const CA_TTL = '87600h';
export const LEAF_TTL = '2160h';
/** Account that PostgreSQL and MariaDB accept only with a client certificate (CN = user name). */
export const CERT_USER = 'devstack_tls';

/** Compose DNS names of the services (docker-compose.yml service names). */
export const DNS_NAMES: Record<string, string> = { postgres: 'postgres', mysql: 'mysql', mongodb: 'mongodb', redis: 'redis', vault: 'vault', api: 'api', client: CERT_USER };

export interface IssuedCert {
  certificate: string;
  privateKey: string;
  issuingCa: string;
  serial: string;
  expiration: number;
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const f = vaultFailure(err);
    if (!f) throw new DevstackError('ENVIRONMENT', `Vault PKI: ${what}: ${(err as Error).message}`, { fix: 'Start the stack: npx nx run stack:up', cause: err });
    throw new DevstackError('ENVIRONMENT', `Vault PKI: ${what}: HTTP ${f.status} ${f.errors.join('; ')}`, { cause: err });
  }
}

export async function ensurePkiMount(vault: VaultClient): Promise<void> {
  const mounts = (await call('list mounts', () => vault.mounts())) as Record<string, unknown>;
  const list = (mounts.data as Record<string, unknown> | undefined) ?? mounts;
  if (!Object.keys(list).includes(`${PKI_MOUNT}/`)) await call('mount pki', () => vault.mount({ mount_point: PKI_MOUNT, type: 'pki' }));
}

/** The CA certificate in PEM, or undefined when the mount has no CA yet. */
export async function readCa(vault: VaultClient): Promise<string | undefined> {
  try {
    const r = (await vault.read(`${PKI_MOUNT}/ca/pem`)) as { data?: { certificate?: string } };
    return r.data?.certificate || undefined;
  } catch (err) {
    const f = vaultFailure(err);
    if (f && f.status >= 400 && f.status < 500) return undefined;
    if (f && f.errors.join(' ').match(/not config/i)) return undefined;
    throw err;
  }
}

/** Root CA inside Vault (key never leaves it: root/generate/internal). Kept when it already exists. */
export async function ensureRoot(vault: VaultClient): Promise<{ pem: string; created: boolean }> {
  const existing = await readCa(vault);
  if (existing) return { pem: existing, created: false };
  const r = (await call('root/generate/internal', () =>
    vault.write(`${PKI_MOUNT}/root/generate/internal`, { common_name: CA_COMMON_NAME, ttl: CA_TTL, key_type: 'rsa', key_bits: 2048, organization: 'devstack' }),
  )) as { data: { certificate: string } };
  return { pem: r.data.certificate, created: true };
}

/** Ask the server for an intermediate: the answer (status) is what docs/tls.md and the certs result report. */
export async function intermediateSupport(vault: VaultClient): Promise<{ supported: boolean; detail: string }> {
  try {
    await vault.write(`${PKI_MOUNT}/intermediate/generate/internal`, { common_name: 'devstack intermediate CA' });
    return { supported: true, detail: 'intermediate/generate answered' };
  } catch (err) {
    const f = vaultFailure(err);
    if (!f) throw err;
    return { supported: false, detail: `${PKI_MOUNT}/intermediate/generate/internal -> HTTP ${f.status}${f.errors.length ? ` ${f.errors.join('; ')}` : ''}` };
  }
}

export async function ensureRole(vault: VaultClient, name: string): Promise<void> {
  await call(`roles/${name}`, () =>
    vault.write(`${PKI_MOUNT}/roles/${name}`, {
      ttl: LEAF_TTL,
      max_ttl: LEAF_TTL,
      key_type: 'rsa',
      key_bits: 2048,
      allow_localhost: true,
      allowed_domains: `localhost,${DNS_NAMES[name] ?? name}`,
      allow_bare_domains: true,
      allow_ip_sans: true,
    }),
  );
}

/** Issue a leaf from the role: SANs localhost, 127.0.0.1, ::1 and the compose DNS name. */
export async function issue(vault: VaultClient, role: string, ttl = LEAF_TTL, commonName?: string): Promise<IssuedCert> {
  const cn = commonName ?? (role === 'client' ? CERT_USER : 'localhost');
  // RustyVault puts the common name (localhost) into the DNS SANs itself.
  const alt = role === 'client' ? '' : DNS_NAMES[role] ?? role;
  const r = (await call(`issue/${role}`, () =>
    vault.write(`${PKI_MOUNT}/issue/${role}`, { common_name: cn, ...(alt ? { alt_names: alt, ip_sans: '127.0.0.1,::1' } : {}), ttl }),
  )) as { data: { certificate: string; private_key: string; issuing_ca: string; serial_number: string; expiration: number } };
  return { certificate: r.data.certificate, privateKey: r.data.private_key, issuingCa: r.data.issuing_ca, serial: r.data.serial_number, expiration: r.data.expiration };
}

export function pkiClient(config: LoadedConfig): VaultClient {
  return operatorClient(config);
}
