import { contextOf, DevstackError, isStackService, isAlive, readPid, STACK_SERVICES, startResult, type CommonOptions, type ServiceStatus, type StackService, type TaskResult } from '@devstack/core';
import { LOCAL_SERVICES, providerFor, readNetworkState, StackLayout, segmentDown, segmentUp } from '@devstack/runtime';

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
  // The segmented topology goes with the processes (a no-op when there is none).
  if (provider.name === 'local' && readNetworkState(config)) {
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
