import type { PROBE_PROTOCOLS } from '@devstack/runtime';

export interface ProbeTarget {
  /** Cell id in the matrix: <network>/<service>/<port name>. */
  id: string;
  address: string;
  port: number;
  protocol: (typeof PROBE_PROTOCOLS)[number];
}

export interface ProbeRequest {
  targets: ProbeTarget[];
  /** Bound for a denied flow: a TCP connect that neither completes nor is refused within this is "timeout". */
  connectTimeoutMs: number;
  exchangeTimeoutMs: number;
  credentials: Partial<Record<'postgres' | 'mysql' | 'redis', { user: string; password: string }>>;
}

/**
 * ok: the protocol exchange completed. connected: TCP connected but the exchange failed.
 * refused / timeout / unreachable: no connection (what a denied flow must show).
 */
export interface ProbeOutcome {
  id: string;
  outcome: 'ok' | 'connected' | 'refused' | 'timeout' | 'unreachable' | 'error';
  detail: string;
  ms: number;
}
