import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { certsRoot, contextOf, startResult, type CommonOptions, type LoadedConfig, type TaskResult } from '@devstack/core';
import { serviceAccount } from '@devstack/runtime';
import { ensureIntermediate, ensureRole, ensureRoot, issue, pkiClient, type IssuedCert } from './pki';

/** Every certificate the stack serves, plus the client certificate for client-cert logins. */
export const CERT_SERVICES = ['vault', 'postgres', 'mysql', 'mongodb', 'redis', 'api'] as const;
/** Servers that run as the unprivileged service account and must own their key. */
const OWNED_BY_ACCOUNT = new Set(['postgres', 'mysql']);

export type CertsOptions = CommonOptions;

export function certFiles(config: Pick<LoadedConfig, 'stateRoot'>, name: string) {
  const dir = path.join(certsRoot(config), name);
  return { dir, cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), ca: path.join(certsRoot(config), 'ca.pem'), intermediate: path.join(certsRoot(config), 'intermediate.pem') };
}

export function haveCerts(config: Pick<LoadedConfig, 'stateRoot'>): boolean {
  return [...CERT_SERVICES, 'client'].every((s) => existsSync(certFiles(config, s).key));
}

function writeLeaf(config: LoadedConfig, name: string, leaf: IssuedCert): void {
  const f = certFiles(config, name);
  mkdirSync(f.dir, { recursive: true, mode: 0o755 });
  // Leaf + intermediate: peers that trust only the root can build the chain from what is presented.
  writeFileSync(f.cert, `${leaf.certificate.trim()}\n${leaf.issuingCa.trim()}\n`, { mode: 0o644 });
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
  /** The leaf's signature verifies with the intermediate's public key (and names it as issuer). */
  issuedByIntermediate: boolean;
}

export interface CaSummary {
  name: 'root' | 'intermediate';
  mount: string;
  subject: string;
  issuer: string;
  notAfter: string;
  created: boolean;
}

const caSummary = (name: CaSummary['name'], mount: string, pem: string, created: boolean): CaSummary => {
  const x = new X509Certificate(pem);
  return { name, mount, subject: x.subject.replace(/\n/g, ', '), issuer: x.issuer.replace(/\n/g, ', '), notAfter: new Date(x.validTo).toISOString(), created };
};

/** Root and intermediate (kept if present), one role per service, fresh leaves for all; shared by certs and renew. */
export async function issueAll(config: LoadedConfig, progress: (m: string) => void): Promise<{ ca: string; cas: CaSummary[]; leaves: IssueSummary[] }> {
  const vault = pkiClient(config);
  const root = await ensureRoot(vault);
  progress(root.created ? 'pki: generated the devstack root CA inside Vault (pki/)' : 'pki: using the existing devstack root CA (pki/)');
  const int = await ensureIntermediate(vault);
  progress(int.created ? 'pki: generated the intermediate CA (pki_int/), signed by the root' : 'pki: using the existing intermediate CA (pki_int/)');
  mkdirSync(certsRoot(config), { recursive: true, mode: 0o755 });
  // Clients trust the root only; the intermediate comes with every leaf (and is kept here for inspection).
  writeFileSync(certFiles(config, 'x').ca, root.pem + '\n', { mode: 0o644 });
  writeFileSync(certFiles(config, 'x').intermediate, int.pem + '\n', { mode: 0o644 });
  const intX = new X509Certificate(int.pem);
  const leaves: IssueSummary[] = [];
  for (const name of [...CERT_SERVICES, 'client']) {
    await ensureRole(vault, name);
    const leaf = await issue(vault, name);
    writeLeaf(config, name, leaf);
    const x = new X509Certificate(leaf.certificate);
    leaves.push({ name, serial: leaf.serial, notAfter: new Date(x.validTo).toISOString(), sans: x.subjectAltName ?? '', issuedByIntermediate: x.checkIssued(intX) && x.verify(intX.publicKey) });
    progress(`pki: issued ${name} (${x.subjectAltName ?? x.subject})`);
  }
  return { ca: root.pem, cas: [caSummary('root', 'pki', root.pem, root.created), caSummary('intermediate', 'pki_int', int.pem, int.created)], leaves };
}

export async function certs(options: CertsOptions): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const result = startResult('tls', 'certs');
  const out = await issueAll(config, progress);
  result.server = { name: 'Vault PKI', version: 'pki mount' };
  result.tables.push({ title: `Certificates issued by Vault PKI (${certsRoot(config)})`, head: ['name', 'serial', 'not after', 'SANs'], rows: out.leaves.map((l) => [l.name, l.serial, l.notAfter, l.sans]) });
  result.tables.push({ title: 'Certificate authorities in Vault PKI', head: ['CA', 'mount', 'subject', 'issuer', 'not after', 'state'], rows: out.cas.map((c) => [c.name, c.mount, c.subject, c.issuer, c.notAfter, c.created ? 'generated' : 'existing']) });
  const [root, int] = out.cas;
  result.checks.push({ name: 'root CA in pki/ is self-signed', passed: root.subject === root.issuer, observed: root.issuer });
  result.checks.push({ name: 'intermediate CA in pki_int/ is signed by the root', passed: int.issuer === root.subject, expected: root.subject, observed: int.issuer });
  result.checks.push(...out.leaves.map((l) => ({ name: `${l.name} certificate issued by the intermediate`, passed: l.issuedByIntermediate, observed: `${l.issuedByIntermediate ? 'signature verifies' : 'NOT signed by the intermediate'}; not after ${l.notAfter}` })));
  result.data = { cas: out.cas, leaves: out.leaves };
  return result.finish();
}
