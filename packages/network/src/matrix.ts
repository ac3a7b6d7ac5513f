import { type DevstackConfig } from '@devstack/core';
import { isAllowed, servicePorts, targetAddress, type SegmentationPolicy, type TopologyPlan } from '@devstack/runtime';
import type { ProbeOutcome, ProbeTarget } from './probe-types';

export interface MatrixCell extends ProbeTarget {
  /** Where the probe sits: a network name, or "host" (published ports on 127.0.0.1). */
  from: string;
  service: string;
  portName: string;
  expected: 'allow' | 'deny';
  /** The service has a leg in the probe's network (a denial is then the namespace's firewall, not routing). */
  sameNetwork: boolean;
}

export interface CellVerdict extends MatrixCell {
  observed: ProbeOutcome['outcome'];
  detail: string;
  ms: number;
  passed: boolean;
}

/** Outcomes that count as "did not connect" for a denied flow. */
export const DENIED_OUTCOMES: readonly ProbeOutcome['outcome'][] = ['refused', 'timeout', 'unreachable'];

/** Every (network, service, port) cell of the segmented stack, with the policy's expectation. */
export function buildMatrix(policy: SegmentationPolicy, plan: TopologyPlan, config: Pick<DevstackConfig, 'ports'>): MatrixCell[] {
  const services = plan.namespaces.filter((n) => n.kind === 'service').map((n) => n.owner);
  return Object.keys(policy.networks).flatMap((from) =>
    services.flatMap((service) => {
      const { address, sameNetwork } = targetAddress(plan, from, service);
      return servicePorts(policy, service, config).map((p) => ({
        id: `${from}/${service}/${p.name}`,
        from,
        service,
        portName: p.name,
        address,
        port: p.port,
        protocol: p.protocol,
        expected: isAllowed(policy, from, service, p.portName) ? ('allow' as const) : ('deny' as const),
        sameNetwork,
      }));
    }),
  );
}

/** The host column: every service port through its published 127.0.0.1 port must complete the exchange. */
export function hostCells(policy: SegmentationPolicy, plan: TopologyPlan, config: Pick<DevstackConfig, 'ports'>): MatrixCell[] {
  const services = plan.namespaces.filter((n) => n.kind === 'service').map((n) => n.owner);
  return services.flatMap((service) =>
    servicePorts(policy, service, config).map((p) => ({
      id: `host/${service}/${p.name}`,
      from: 'host',
      service,
      portName: p.name,
      address: '127.0.0.1',
      port: p.port,
      protocol: p.protocol,
      expected: 'allow' as const,
      sameNetwork: true,
    })),
  );
}

/** allow: the exchange must complete; deny: refused, timed out or unreachable. A denied flow that connects fails. */
export function judge(cell: MatrixCell, outcome: ProbeOutcome | undefined): CellVerdict {
  const observed = outcome?.outcome ?? 'error';
  const passed = cell.expected === 'allow' ? observed === 'ok' : DENIED_OUTCOMES.includes(observed);
  return { ...cell, observed, detail: outcome?.detail ?? 'no answer from the probe', ms: outcome?.ms ?? 0, passed };
}

/** One row per (from, service, port): expected vs observed, the way the README shows it. */
export function matrixTable(verdicts: CellVerdict[]) {
  return {
    title: 'Reachability matrix (expected vs observed)',
    head: ['from', 'service', 'port', 'target', 'expected', 'observed', 'ms', 'verdict', 'detail'],
    rows: verdicts.map((v) => [
      v.from,
      v.service,
      `${v.portName} ${v.port}`,
      `${v.address}${v.from === 'host' ? '' : v.sameNetwork ? ' (leg)' : ' (other net)'}`,
      v.expected,
      v.observed,
      v.ms,
      v.passed ? 'PASS' : 'FAIL',
      v.detail,
    ]),
  };
}

/** Compact grid: rows = probe networks, columns = service ports, cells = expected/observed. */
export function matrixGrid(verdicts: CellVerdict[]) {
  const cols = [...new Set(verdicts.map((v) => `${v.service}:${v.portName}`))];
  const rowsFrom = [...new Set(verdicts.map((v) => v.from))];
  const mark = (v?: CellVerdict) => (v ? `${v.expected === 'allow' ? 'A' : 'D'}/${v.observed === 'ok' ? 'ok' : v.observed}${v.passed ? '' : ' FAIL'}` : '-');
  return {
    title: 'Matrix grid (A=allowed, D=denied by policy / observed)',
    head: ['from \\ to', ...cols],
    rows: rowsFrom.map((f) => [f, ...cols.map((c) => mark(verdicts.find((v) => v.from === f && `${v.service}:${v.portName}` === c)))]),
  };
}
