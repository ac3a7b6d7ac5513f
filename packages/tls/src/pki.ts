import { DevstackError, operatorClient, vaultFailure, type LoadedConfig, type VaultClient } from '@devstack/core';

/**
 * The devstack PKI in Vault (OpenBao): a root CA in `pki/` that signs only the intermediate, an
 * intermediate CA in `pki_int/` that issues every service leaf. Private keys of both CAs never leave
 * Vault (generate/internal). Clients trust the root only; servers present leaf + intermediate.
 */
export const PKI_MOUNT = 'pki';
export const PKI_INT_MOUNT = 'pki_int';
export const CA_COMMON_NAME = 'devstack root CA';
export const INT_COMMON_NAME = 'devstack intermediate CA';
/** Lifetimes: root 10 years, intermediate 5 years, leaves 90 days (each must end before its issuer). */
export const CA_TTL = '87600h';
export const INT_TTL = '43800h';
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

/** Mount a PKI engine with a max lease TTL that fits its CA (the default, 32 days, would cap it). */
export async function ensurePkiMount(vault: VaultClient, mount = PKI_MOUNT, maxTtl = CA_TTL): Promise<void> {
  const mounts = (await call('list mounts', () => vault.mounts())) as Record<string, unknown>;
  const list = (mounts.data as Record<string, unknown> | undefined) ?? mounts;
  if (!Object.keys(list).includes(`${mount}/`)) {
    await call(`mount ${mount}`, () => vault.mount({ mount_point: mount, type: 'pki', config: { max_lease_ttl: maxTtl } }));
  }
}

/** The CA certificate of a mount in PEM, or undefined when the mount has no CA yet. */
export async function readCa(vault: VaultClient, mount = PKI_MOUNT): Promise<string | undefined> {
  try {
    const r = (await vault.read(`${mount}/cert/ca`)) as { data?: { certificate?: string } };
    return r.data?.certificate?.trim() || undefined;
  } catch (err) {
    const f = vaultFailure(err);
    if (f && f.status >= 400 && f.status < 500) return undefined;
    throw err;
  }
}

/** Root CA inside Vault (key never leaves it: root/generate/internal). Kept when it already exists. */
export async function ensureRoot(vault: VaultClient): Promise<{ pem: string; created: boolean }> {
  await ensurePkiMount(vault, PKI_MOUNT, CA_TTL);
  const existing = await readCa(vault, PKI_MOUNT);
  if (existing) return { pem: existing, created: false };
  const r = (await call('pki/root/generate/internal', () =>
    vault.write(`${PKI_MOUNT}/root/generate/internal`, { common_name: CA_COMMON_NAME, ttl: CA_TTL, key_type: 'rsa', key_bits: 2048, organization: 'devstack' }),
  )) as { data: { certificate: string } };
  return { pem: r.data.certificate.trim(), created: true };
}

/**
 * Intermediate CA in pki_int/: its key is generated inside Vault, its CSR signed by the root in pki/,
 * the signed certificate imported back. Kept when pki_int already holds a CA.
 */
export async function ensureIntermediate(vault: VaultClient): Promise<{ pem: string; created: boolean }> {
  await ensurePkiMount(vault, PKI_INT_MOUNT, INT_TTL);
  const existing = await readCa(vault, PKI_INT_MOUNT);
  if (existing) return { pem: existing, created: false };
  const csr = (await call('pki_int/intermediate/generate/internal', () =>
    vault.write(`${PKI_INT_MOUNT}/intermediate/generate/internal`, { common_name: INT_COMMON_NAME, key_type: 'rsa', key_bits: 2048, organization: 'devstack' }),
  )) as { data: { csr: string } };
  const signed = (await call('pki/root/sign-intermediate', () =>
    vault.write(`${PKI_MOUNT}/root/sign-intermediate`, { csr: csr.data.csr, common_name: INT_COMMON_NAME, ttl: INT_TTL, format: 'pem' }),
  )) as { data: { certificate: string } };
  await call('pki_int/intermediate/set-signed', () => vault.write(`${PKI_INT_MOUNT}/intermediate/set-signed`, { certificate: signed.data.certificate }));
  return { pem: signed.data.certificate.trim(), created: true };
}

export async function ensureRole(vault: VaultClient, name: string): Promise<void> {
  await call(`${PKI_INT_MOUNT}/roles/${name}`, () =>
    vault.write(`${PKI_INT_MOUNT}/roles/${name}`, {
      ttl: LEAF_TTL,
      max_ttl: LEAF_TTL,
      key_type: 'rsa',
      key_bits: 2048,
      allow_localhost: true,
      allowed_domains: `localhost,${DNS_NAMES[name] ?? name}`,
      allow_bare_domains: true,
      allow_ip_sans: true,
      // The client leaf's CN is a database user name (devstack_tls), not a hostname; it is a client certificate only.
      ...(name === 'client' ? { allowed_domains: CERT_USER, allow_localhost: false, enforce_hostnames: false, server_flag: false, client_flag: true } : {}),
    }),
  );
}

/** Issue a leaf from the intermediate: SANs localhost, 127.0.0.1, ::1 and the compose DNS name. */
export async function issue(vault: VaultClient, role: string, ttl = LEAF_TTL, commonName?: string): Promise<IssuedCert> {
  const cn = commonName ?? (role === 'client' ? CERT_USER : 'localhost');
  const alt = role === 'client' ? '' : DNS_NAMES[role] ?? role;
  const r = (await call(`${PKI_INT_MOUNT}/issue/${role}`, () =>
    vault.write(`${PKI_INT_MOUNT}/issue/${role}`, { common_name: cn, ...(alt ? { alt_names: alt, ip_sans: '127.0.0.1,::1' } : {}), ttl }),
  )) as { data: { certificate: string; private_key: string; issuing_ca: string; serial_number: string; expiration: number } };
  return { certificate: r.data.certificate, privateKey: r.data.private_key, issuingCa: r.data.issuing_ca, serial: r.data.serial_number, expiration: r.data.expiration };
}

export function pkiClient(config: LoadedConfig): VaultClient {
  return operatorClient(config);
}
