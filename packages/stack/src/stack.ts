import { contextOf, DevstackError, isStackService, isAlive, readPid, STACK_SERVICES, startResult, type CommonOptions, type ServiceStatus, type StackService, type TaskResult } from '@devstack/core';
import { foreignTopology, LOCAL_SERVICES, providerFor, readNetworkState, StackLayout, segmentDown, segmentUp } from '@devstack/runtime';

export interface UpOptions extends CommonOptions {
  services?: string[];
  /** Each service in its own network namespace, flows per configs/network/segmentation.json (local provider, root). */
  segmented?: boolean;
  /** With segmented: a stack already running without segmentation is stopped (data kept) and started segmented. */
  restart?: boolean;
}
export interface DownOptions extends CommonOptions {
  purge?: boolean;
}
export interface RestartOptions extends CommonOptions {
  service?: string;
}

function parseServices(list: string[] | undefined): StackService[] {
  if (!list || list.length === 0) return [...STACK_SERVICES];
  for (const s of list) {
    if (!isStackService(s)) {
      throw new DevstackError('BAD_INPUT', `Unknown service "${s}".`, { fix: `Known services: ${STACK_SERVICES.join(', ')}.` });
    }
  }
  return list as StackService[];
}

export function statusTable(statuses: ServiceStatus[]) {
  return {
    title: 'Stack status',
    head: ['service', 'server', 'version', 'port', 'pid', 'healthy', 'detail'],
    rows: statuses.map((s) => [s.service, s.server ?? '-', s.version ?? '-', s.port, s.pid ?? '-', s.healthy ? 'yes' : 'NO', s.detail ?? '']),
  };
}

function statusChecks(statuses: ServiceStatus[]) {
  return statuses.map((s) => ({
    name: `${s.service} healthy`,
    passed: s.healthy,
    observed: s.healthy ? 'healthy' : 'down',
    detail: s.healthy ? undefined : `${s.detail ?? ''}${s.logFile ? ` (log: ${s.logFile})` : ''}`,
  }));
}

/** Start the stack (idempotent: running services are reported, not restarted). */
export async function up(options: UpOptions, signal?: AbortSignal): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const services = parseServices(options.services);
  const result = startResult('stack', 'up', { profile: config.provider });
  const provider = providerFor(config);
  if (!options.segmented && provider.name === 'local') await clearForeignTopology(config, progress, result.notes);
  const segmented = options.segmented ? await segmentedTopology(config, provider, progress, options.restart === true) : undefined;
  const report = await provider.up(services, { progress, signal });
  const statuses = (await provider.status()).filter((s) => services.includes(s.service as StackService) || s.service === 'vault');
  result.tables.push(statusTable(statuses));
  result.checks.push(...statusChecks(statuses));
  result.notes.push(
    `started: ${report.started.join(', ') || 'none'}; already running: ${report.alreadyRunning.join(', ') || 'none'}; ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  result.data = { started: report.started, alreadyRunning: report.alreadyRunning, upMs: report.durationMs };
  if (segmented) {
    result.notes.push(`segmented: ${segmented.created ? 'built' : 'kept'} ${segmented.plan.namespaces.length} namespaces on ${segmented.plan.bridges.length} bridges in ${(segmented.durationMs / 1000).toFixed(1)} s`);
    result.data = { ...(result.data as object), segmented: true, topologyMs: segmented.durationMs, totalMs: Date.now() - Date.parse(result.startedAt) };
  }
  return result.finish();
}

/**
 * A segmented topology at this port offset that this checkout did not build (a deleted clone's, or
 * CI's) publishes this offset's ports into its namespaces: a plain stack here would start but answer
 * nothing. Stale (nothing runs inside): removed, with a note. In use: refused, naming the way out.
 */
async function clearForeignTopology(config: Parameters<typeof providerFor>[0], progress: (m: string) => void, notes: string[]): Promise<void> {
  const foreign = await foreignTopology(config);
  if (!foreign) return;
  const what = [foreign.table ? `nftables table inet ${foreign.table}` : '', foreign.namespaces.length ? `namespaces ${foreign.namespaces.join(', ')}` : ''].filter(Boolean).join(' and ');
  if (foreign.pids.length) {
    throw new DevstackError('ENVIRONMENT', `Another checkout's segmented stack runs at port offset ${config.portOffset} (${what}; pids ${foreign.pids.slice(0, 8).join(', ')}): it owns this offset's ports.`, {
      fix: `Stop it from its checkout (node packages/stack/dist/cli.js down), or use another offset here: DEVSTACK_PORT_OFFSET=100.`,
    });
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new DevstackError('ENVIRONMENT', `A stale segmented topology (${what}) at port offset ${config.portOffset} captures this offset's ports, and removing it needs root.`, {
      fix: `As root: node packages/stack/dist/cli.js down, or use another offset: DEVSTACK_PORT_OFFSET=100.`,
    });
  }
  progress(`network: removing a stale segmented topology left at port offset ${config.portOffset} by another checkout (${what}); nothing runs in it`);
  const { removed } = await segmentDown(config, progress);
  notes.push(`removed a stale segmented topology at port offset ${config.portOffset}: ${removed.join(', ')}`);
}

/** Namespaces first, so the servers start inside them; refuses to wrap services already running unsegmented. */
async function segmentedTopology(config: Parameters<typeof providerFor>[0], provider: ReturnType<typeof providerFor>, progress: (m: string) => void, restart: boolean) {
  if (provider.name !== 'local') throw new DevstackError('BAD_INPUT', '--segmented is for the local provider.', { fix: 'With compose, docker-compose.yml declares the networks itself.' });
  const layout = new StackLayout(config);
  const running = STACK_SERVICES.some((s) => LOCAL_SERVICES[s].pidNames().some((p) => isAlive(readPid(layout.pid(p)))));
  if (!readNetworkState(config)?.ready && running) {
    if (!restart) throw new DevstackError('BAD_INPUT', 'The stack is already running without segmentation.', { fix: 'Stop it first (stack down), or: stack up --segmented --restart.' });
    progress('the stack runs without segmentation: stopping it (data kept) to start it segmented');
    await provider.down({ progress });
  }
  return segmentUp(config, progress);
}

export async function down(options: DownOptions): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const result = startResult('stack', 'down', { profile: config.provider });
  const provider = providerFor(config);
  await provider.down({ purge: options.purge, progress });
  // The segmented topology goes with the processes (a no-op when there is none); a stale one left at
  // this offset by another checkout goes too, when nothing runs in it.
  const foreign = provider.name === 'local' ? await foreignTopology(config) : undefined;
  if (provider.name === 'local' && (readNetworkState(config) || (foreign && !foreign.pids.length && process.getuid?.() === 0))) {
    const net = await segmentDown(config, progress);
    if (net.removed.length) result.notes.push(`network: removed ${net.removed.length} namespaces/links/tables`);
  }
  const statuses = await provider.status();
  for (const s of statuses) {
    result.checks.push({ name: `${s.service} stopped`, passed: s.pid === undefined, observed: s.pid === undefined ? 'no process' : `pid ${s.pid} still running` });
  }
  if (options.purge) result.notes.push('purged: data, configs, Vault keys, AppRoles and certificates under .devstack/ (results and logs kept)');
  return result.finish();
}

export async function status(options: CommonOptions): Promise<TaskResult> {
  const { config } = contextOf(options);
  const result = startResult('stack', 'status', { profile: config.provider });
  const statuses = await providerFor(config).status();
  result.tables.push(statusTable(statuses));
  result.checks.push(...statusChecks(statuses));
  return result.finish();
}

export async function restart(options: RestartOptions, signal?: AbortSignal): Promise<TaskResult> {
  const { config, progress } = contextOf(options);
  const [service] = parseServices(options.service ? [options.service] : undefined);
  if (!options.service) throw new DevstackError('BAD_INPUT', 'restart needs --service.', { fix: `Example: --service postgres (one of ${STACK_SERVICES.join(', ')}).` });
  const result = startResult('stack', 'restart', { profile: config.provider });
  const provider = providerFor(config);
  await provider.restart(service, { progress, signal });
  const statuses = (await provider.status()).filter((s) => s.service === service);
  result.tables.push(statusTable(statuses));
  result.checks.push(...statusChecks(statuses));
  return result.finish();
}
