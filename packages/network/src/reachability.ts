import * as path from 'node:path';
import { contextOf, DevstackError, getCredentials, runCommand, startResult, STACK_SERVICES, type CommonOptions, type LoadedConfig, type TaskResult } from '@devstack/core';
import { assertRouteVia, loadPolicy, planTopology, providerFor, readNetworkState, type TopologyPlan } from '@devstack/runtime';
import { composeMatrix, composeProbeCommand } from './compose-probe';
import { buildMatrix, hostCells, judge, matrixGrid, matrixTable, type CellVerdict, type MatrixCell } from './matrix';
import { probe } from './probe-client';
import type { ProbeOutcome, ProbeRequest } from './probe-types';

export interface MatrixOptions extends CommonOptions {
  /** Bound for a denied flow (ms): refused or timed out within this. */
  connectTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 1500;
/** dist/probe.js, from src/ (jest) or dist/ (CLI) alike. */
export const PROBE_SCRIPT = path.resolve(__dirname, '..', 'dist', 'probe.js');

async function credentials(config: LoadedConfig): Promise<ProbeRequest['credentials']> {
  const out: ProbeRequest['credentials'] = {};
  for (const s of ['postgres', 'mysql', 'redis'] as const) {
    const c = await getCredentials(config, s);
    // password is non-enumerable (kept out of logs); copy it explicitly for the probe's stdin only.
    out[s] = { user: c.user, password: c.password };
  }
  return out;
}

function parseOutcomes(stdout: string, stderr: string, where: string): ProbeOutcome[] {
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as ProbeOutcome[];
  } catch {
    throw new DevstackError('ENVIRONMENT', `The probe in ${where} printed no result: ${stderr.trim().slice(-300) || stdout.slice(-300)}`, { fix: 'Build the package first: npx nx run network:build.' });
  }
}

/** Before a single packet: every target's route must go through the project's bridges (host) and the probe's own veth (namespace). */
async function checkRoutes(plan: TopologyPlan, cells: MatrixCell[]): Promise<number> {
  const bridges = plan.bridges.map((b) => b.name);
  let checked = 0;
  for (const p of plan.publish) {
    await assertRouteVia(p.address, bridges);
    checked++;
  }
  for (const ns of plan.namespaces.filter((n) => n.kind === 'probe')) {
    for (const address of new Set(cells.filter((c) => c.from === ns.owner).map((c) => c.address))) {
      await assertRouteVia(address, bridges);
      await assertRouteVia(address, [ns.legs[0].ifname], ns.name);
      checked += 2;
    }
  }
  return checked;
}

/** Probe every cell from its namespace (local) or container (compose); the host column runs in this process. */
async function runLocal(config: LoadedConfig, plan: TopologyPlan, cells: MatrixCell[], base: Omit<ProbeRequest, 'targets'>): Promise<ProbeOutcome[]> {
  const byNetwork = plan.namespaces.filter((n) => n.kind === 'probe');
  const runs = byNetwork.map(async (ns) => {
    const targets = cells.filter((c) => c.from === ns.owner);
    const r = await runCommand('ip', ['netns', 'exec', ns.name, process.execPath, PROBE_SCRIPT], { input: JSON.stringify({ ...base, targets }), timeoutMs: 60000 });
    return parseOutcomes(r.stdout, r.stderr, ns.name);
  });
  const host = probe({ ...base, targets: cells.filter((c) => c.from === 'host') });
  return (await Promise.all([...runs, host])).flat();
}

async function runCompose(config: LoadedConfig, cells: MatrixCell[], base: Omit<ProbeRequest, 'targets'>): Promise<ProbeOutcome[]> {
  const networks = [...new Set(cells.map((c) => c.from))];
  const runs = networks.map(async (n) => {
    const cmd = composeProbeCommand(config, n);
    const r = await runCommand(cmd.command, cmd.args, { input: JSON.stringify({ ...base, targets: cells.filter((c) => c.from === n) }), timeoutMs: 60000 });
    return parseOutcomes(r.stdout, r.stderr, `compose probe-${n}`);
  });
  return (await Promise.all(runs)).flat();
}

/** The reachability matrix: from a probe in every network to every service port, expected (policy) vs observed. */
export async function matrix(options: MatrixOptions): Promise<TaskResult & { data: { verdicts: CellVerdict[] } }> {
  const { config, progress } = contextOf(options);
  const result = startResult('network', 'matrix', { profile: config.provider });
  const policy = loadPolicy(config.root);
  const base = { connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, exchangeTimeoutMs: 5000, credentials: await credentials(config) };
  let cells: MatrixCell[];
  let outcomes: ProbeOutcome[];
  if (providerFor(config).name === 'compose') {
    cells = composeMatrix(policy, config, STACK_SERVICES);
    progress(`network: ${cells.length} cells through docker compose exec probes`);
    outcomes = await runCompose(config, cells, base);
  } else {
    const state = readNetworkState(config);
    if (!state?.ready) {
      throw new DevstackError('ENVIRONMENT', 'The stack is not segmented: no network namespaces to probe from.', {
        fix: 'Start it segmented: node packages/stack/dist/cli.js down && node packages/stack/dist/cli.js up --segmented (as root).',
      });
    }
    const plan = planTopology(policy, config);
    cells = [...buildMatrix(policy, plan, config), ...hostCells(policy, plan, config)];
    const routes = await checkRoutes(plan, cells);
    progress(`network: ${routes} route checks passed; probing ${cells.length} cells from ${plan.namespaces.filter((n) => n.kind === 'probe').length} probe namespaces and the host`);
    outcomes = await runLocal(config, plan, cells, base);
    result.notes!.push(`${routes} routes checked with ip route get before probing: every target goes through the project's own bridges/veths`);
  }
  const verdicts = cells.map((c) => judge(c, outcomes.find((o) => o.id === c.id)));
  result.tables!.push(matrixGrid(verdicts), matrixTable(verdicts));
  for (const v of verdicts) {
    result.checks.push({ name: `${v.id} ${v.expected}`, passed: v.passed, expected: v.expected === 'allow' ? 'exchange ok' : 'refused/timeout', observed: v.observed, detail: v.passed ? undefined : v.detail });
  }
  const nets = new Set(verdicts.filter((v) => v.from !== 'host').map((v) => v.from)).size;
  const ports = new Set(verdicts.map((v) => `${v.service}:${v.portName}`)).size;
  const allow = verdicts.filter((v) => v.from !== 'host' && v.expected === 'allow').length;
  const deny = verdicts.filter((v) => v.expected === 'deny').length;
  result.notes!.push(`matrix: ${nets} networks x ${ports} service ports = ${nets * ports} cells (${allow} allowed, ${deny} denied) + ${verdicts.length - nets * ports} host cells; ${verdicts.filter((v) => v.passed).length}/${verdicts.length} as expected`);
  result.data = { verdicts, networks: nets, ports, allowed: allow, denied: deny };
  return result.finish() as TaskResult & { data: { verdicts: CellVerdict[] } };
}
