import { runCommand } from '@devstack/core';
import type { TlsTarget } from './handshake';

export interface OpensslOutcome {
  /** A session was established (a cipher other than "(NONE)" negotiated). */
  connected: boolean;
  protocol?: string;
  cipher?: string;
  /** The alert or error OpenSSL reported, e.g. "tlsv1 alert protocol version", "no protocols available". */
  error?: string;
  output: string;
}

/**
 * `openssl s_client`: for what Node's client will not offer (TLS 1.0/1.1 at SECLEVEL=0, NULL and
 * anonymous ciphers). -starttls postgres|mysql speaks the protocol's own TLS switch first.
 */
export async function opensslProbe(target: TlsTarget, args: string[]): Promise<OpensslOutcome> {
  const starttls = target.starttls === 'none' ? [] : ['-starttls', target.starttls];
  const r = await runCommand('openssl', ['s_client', '-connect', `${target.host}:${target.port}`, '-servername', 'localhost', ...starttls, ...args], { timeoutMs: 10000, input: '' });
  const output = `${r.stdout}\n${r.stderr}`;
  const cipher = output.match(/Cipher is (\S+)/)?.[1] ?? output.match(/Cipher\s*:\s*(\S+)/)?.[1];
  const protocol = output.match(/Protocol\s*:\s*(\S+)/)?.[1] ?? output.match(/New, (\S+), Cipher/)?.[1];
  const error = output.match(/:error:[0-9A-F]+:[^:]*:[^:]*:([^:\n]+)/)?.[1] ?? output.match(/(alert [a-z ]+|no protocols available|no ciphers available|no cipher match)/)?.[1];
  return { connected: !!cipher && cipher !== '(NONE)' && cipher !== '0000', protocol, cipher, error, output };
}
