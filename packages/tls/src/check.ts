import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { contextOf, DevstackError, readTlsState, startResult, type CommonOptions, type LoadedConfig, type TaskResult } from '@devstack/core';
import { certFiles } from './certs';
import { daysLeft, handshake, type TlsTarget } from './handshake';
import { redisTlsTargets, tlsTarget, TLS_SERVICES } from './targets';

export const EXPIRY_WARN_DAYS = 30;

export interface CheckOptions extends CommonOptions {
  warnDays?: number;
}

export interface ServedCert {
  target: TlsTarget;
  ok: boolean;
  days?: number;
  notAfter?: string;
  protocol?: string;
  error?: string;
  warn: boolean;
}

/** Days to expiry of what a server presents in a live, verified handshake. */
export async function servedCert(target: TlsTarget, ca: string, warnDays = EXPIRY_WARN_DAYS): Promise<ServedCert> {
  const h = await handshake(target, { ca });
  if (!h.ok) return { target, ok: false, error: `${h.code}: ${h.message}`, warn: true };
  const days = daysLeft(h.validTo);
  return { target, ok: true, days, notAfter: h.validTo.toISOString(), protocol: h.protocol, warn: days < warnDays };
}

export interface CaExpiry {
  name: 'root' | 'intermediate';
  subject: string;
  notAfter: string;
  days: number;
  warn: boolean;
}

/** Expiry of the root (ca.pem, what clients trust) and the intermediate (what every leaf chains to). */
export function caExpiry(rootFile: string, intermediateFile: string, warnDays = EXPIRY_WARN_DAYS): CaExpiry[] {
  return (
    [
      ['root', rootFile],
      ['intermediate', intermediateFile],
    ] as const
  )
    .filter(([, f]) => existsSync(f))
    .map(([name, f]) => {
      const x = new X509Certificate(readFileSync(f, 'utf8'));
      const days = daysLeft(new Date(x.validTo));
      return { name, subject: x.subject.replace(/\n/g, ', '), notAfter: new Date(x.validTo).toISOString(), days, warn: days < warnDays };
    });
}

export function liveTargets(config: LoadedConfig): TlsTarget[] {
  const state = readTlsState(config);
  if (!state) throw new DevstackError('BAD_INPUT', 'TLS is not enabled on the stack.', { fix: 'npx nx run tls:certs && npx nx run tls:enable' });
  return TLS_SERVICES.filter((s) => state.services.includes(s)).flatMap((s) => (s === 'redis' ? redisTlsTargets(config, state.mode) : [tlsTarget(config, s, state.mode)].filter((t): t is TlsTarget => !!t)));
}

export async function check(options: CheckOptions): Promise<TaskResult> {
  const { config } = contextOf(options);
  const warnDays = options.warnDays ?? EXPIRY_WARN_DAYS;
  const result = startResult('tls', 'check');
  const files = certFiles(config, 'x');
  const ca = readFileSync(files.ca, 'utf8');
  const cas = caExpiry(files.ca, files.intermediate, warnDays);
  result.tables.push({
    title: `Certificate authorities (warn under ${warnDays} days)`,
    head: ['CA', 'subject', 'not after', 'days left', 'status'],
    rows: cas.map((c) => [c.name, c.subject, c.notAfter, c.days.toFixed(1), c.warn ? 'WARN: reissue the CA' : 'ok']),
  });
  for (const c of cas) if (c.warn) result.warnings.push(`${c.name} CA expires in ${c.days.toFixed(1)} days (< ${warnDays})`);
  const served = await Promise.all(liveTargets(config).map((t) => servedCert(t, ca, warnDays)));
  result.tables.push({
    title: `Certificates served (live handshakes, warn under ${warnDays} days)`,
    head: ['service', 'port', 'protocol', 'not after', 'days left', 'status'],
    rows: served.map((s) => [s.target.service, s.target.port, s.protocol ?? '-', s.notAfter ?? '-', s.days === undefined ? '-' : s.days.toFixed(1), !s.ok ? `FAILED ${s.error}` : s.warn ? 'WARN: renew (npx nx run tls:renew)' : 'ok']),
  });
  for (const s of served) {
    result.checks.push({ name: `${s.target.service} handshake verifies with the devstack CA`, passed: s.ok, observed: s.ok ? s.protocol : s.error });
    if (s.ok && s.warn) result.warnings.push(`${s.target.service}: certificate expires in ${s.days!.toFixed(1)} days (< ${warnDays}); run npx nx run tls:renew`);
  }
  result.data = { cas, served: served.map((s) => ({ service: s.target.service, port: s.target.port, ok: s.ok, days: s.days, notAfter: s.notAfter, warn: s.warn })) };
  return result.finish();
}
