import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { certsRoot, contextOf, startResult, type CommonOptions, type LoadedConfig, type TaskResult } from '@devstack/core';
import { serviceAccount } from '@devstack/runtime';
import { ensurePkiMount, ensureRole, ensureRoot, intermediateSupport, issue, pkiClient, type IssuedCert } from './pki';

/** Every certificate the stack serves, plus the client certificate for client-cert logins. */
export const CERT_SERVICES = ['vault', 'postgres', 'mysql', 'mongodb', 'redis', 'api'] as const;
/** Servers that run as the unprivileged service account and must own their key. */
const OWNED_BY_ACCOUNT = new Set(['postgres', 'mysql']);

export type CertsOptions = CommonOptions;

export function certFiles(config: Pick<LoadedConfig, 'stateRoot'>, name: string) {
  const dir = path.join(certsRoot(config), name);
  return { dir, cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), ca: path.join(certsRoot(config), 'ca.pem') };
}

export function haveCerts(config: Pick<LoadedConfig, 'stateRoot'>): boolean {
  return [...CERT_SERVICES, 'client'].every((s) => existsSync(certFiles(config, s).key));
}

function writeLeaf(config: LoadedConfig, name: string, leaf: IssuedCert): void {
  const f = certFiles(config, name);
  mkdirSync(f.dir, { recursive: true, mode: 0o755 });
  writeFileSync(f.cert, leaf.certificate.trim() + '\n', { mode: 0o644 });
  // Keys 0600, owned by the account the server runs as (PostgreSQL refuses a key others can read).
  writeFileSync(f.key, leaf.privateKey.trim() + '\n', { mode: 0o600 });
  const account = OWNED_BY_ACCOUNT.has(name) ? serviceAccount() : undefined;
  if (account) chownSync(f.key, account.uid, account.gid);
}

export interface IssueSummary {
  name: string;
  serial: string;
  notAfter: string;
  sans: string;
}

/** Root (kept if present), one role per service, fresh leaves for all; shared by certs and renew. */
export async function issueAll(config: LoadedConfig, progress: (m: string) => void): Promise<{ ca: string; caCreated: boolean; intermediate: { supported: boolean; detail: string }; leaves: IssueSummary[] }> {
  const vault = pkiClient(config);
  await ensurePkiMount(vault);
  const root = await ensureRoot(vault);
  progress(root.created ? 'pki: generated the devstack root CA inside Vault' : 'pki: using the existing devstack root CA');
  const intermediate = await intermediateSupport(vault);
  mkdirSync(certsRoot(config), { recursive: true, mode: 0o755 });
  // The chain clients trust: the root only, because the server cannot make an intermediate.
  writeFileSync(certFiles(config, 'x').ca, root.pem.trim() + '\n', { mode: 0o644 });
  const leaves: IssueSummary[] = [];
  for (const name of [...CERT_SERVICES, 'client']) {
    await ensureRole(vault, name);
    const leaf = await issue(vault, name);
    writeLeaf(config, name, leaf);
    const x = new X509Certificate(leaf.certificate);
    leaves.push({ name, serial: leaf.serial, notAfter: new Date(x.validTo).toISOString(), sans: x.subjectAltName ?? '' });
    progress(`pki: issued ${name} (${x.subjectAltName ?? x.subject})`);
  }
  return { ca: root.pem, caCreated: root.created, intermediate, leaves };
}

export async function certs(options: CertsOptions): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const result = startResult('tls', 'certs');
  const out = await issueAll(config, progress);
  result.server = { name: 'Vault PKI', version: 'pki mount' };
  result.tables!.push({ title: `Certificates issued by Vault PKI (${certsRoot(config)})`, head: ['name', 'serial', 'not after', 'SANs'], rows: out.leaves.map((l) => [l.name, l.serial, l.notAfter, l.sans]) });
  result.checks.push({ name: 'root CA in Vault PKI', passed: true, observed: out.caCreated ? 'generated' : 'existing' });
  result.checks.push(...out.leaves.map((l) => ({ name: `${l.name} certificate issued`, passed: true, observed: l.notAfter })));
  if (!out.intermediate.supported) {
    result.warnings!.push(`Intermediate CA not supported by this Vault server (${out.intermediate.detail}); certificates are issued directly by the Vault root. See docs/tls.md.`);
  }
  result.data = { intermediate: out.intermediate, leaves: out.leaves };
  return result.finish();
}
