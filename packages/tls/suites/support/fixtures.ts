import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { loadConfig, runCommand, writeResult, startResult, type LoadedConfig } from '@devstack/core';
import { certFiles } from '../../src/certs';

/** Test material only: a CA that is not the devstack CA (openssl, generated per run, deleted after). */
export async function otherCa(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'devstack-tls-other-ca-'));
  try {
    const r = await runCommand('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-subj', '/CN=not the devstack CA', '-days', '1']);
    if (r.code !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
    return readFileSync(path.join(dir, 'c.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Material {
  config: LoadedConfig;
  ca: string;
  other: string;
  client: { cert: string; key: string };
}

export async function material(): Promise<Material> {
  const config = loadConfig();
  const c = certFiles(config, 'client');
  return { config, ca: readFileSync(c.ca, 'utf8'), other: await otherCa(), client: { cert: readFileSync(c.cert, 'utf8'), key: readFileSync(c.key, 'utf8') } };
}

/** A throwaway TLS server on 127.0.0.1 serving a given certificate (for expiry cases). */
export async function serve(cert: string, key: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = tls.createServer({ cert, key }, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise((res) => server.close(() => res())) };
}

export const SCENARIOS = [
  '1 chain verifies + driver over TLS',
  '2 hostname: SANs pass, wrong name fails',
  '3 client certificate required/accepted',
  '4 TLS 1.0/1.1 refused, 1.2/1.3 accepted',
  '5 weak ciphers refused (NULL, anon)',
  '6 expiry: short-lived flagged, expired rejected',
  '7 plaintext: dual accepts, required refuses',
  '8 certificate from another CA fails',
] as const;
export type Scenario = (typeof SCENARIOS)[number];
export const MATRIX_SERVICES = ['postgres', 'mysql', 'redis', 'mongodb', 'vault'] as const;

/** Scenario x service verdicts: a cell passes only if every test that touched it passed. */
export class Matrix {
  private cells = new Map<string, { verdict: 'pass' | 'FAIL' | 'n/a'; notes: string[] }>();
  mark(s: Scenario, service: string, verdict: 'pass' | 'FAIL' | 'n/a', note?: string): void {
    const k = `${s}|${service}`;
    const cell = this.cells.get(k) ?? { verdict, notes: [] };
    if (verdict === 'FAIL' || cell.verdict === 'n/a') cell.verdict = verdict;
    if (note && !cell.notes.includes(note)) cell.notes.push(note);
    this.cells.set(k, cell);
  }
  /** Run an assertion block and record its verdict (re-throws so jest reports the failure). */
  async cell(s: Scenario, service: string, fn: () => Promise<string | void>): Promise<void> {
    try {
      const note = await fn();
      this.mark(s, service, 'pass', note || undefined);
    } catch (err) {
      this.mark(s, service, 'FAIL', (err as Error).message.replace(/\u001b\[[0-9;]*m/g, '').replace(/\s+/g, ' ').slice(0, 300));
      throw err;
    }
  }
  write(config: LoadedConfig): string {
    const result = startResult('tls', 'matrix');
    const rows = SCENARIOS.map((s) => [s, ...MATRIX_SERVICES.map((svc) => this.cells.get(`${s}|${svc}`)?.verdict ?? 'not run')]);
    result.tables.push({ title: 'TLS verification matrix (scenario x service)', head: ['scenario', ...MATRIX_SERVICES], rows });
    for (const [k, v] of this.cells) {
      const [s, svc] = k.split('|');
      result.checks.push({ name: `${svc}: ${s}`, passed: v.verdict !== 'FAIL', observed: v.verdict, detail: v.notes.join('; ') || undefined });
    }
    return writeResult(config.stateRoot, result.finish());
  }
}
