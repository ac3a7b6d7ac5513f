import * as path from 'node:path';
import { type LoadedConfig, STACK_SERVICES, type StackService, DevstackError, composeNames, profileExt, runCommand, type RunResult, type ApplyConfigResult, type ServiceStatus, type StackProvider, type UpOptions, type UpReport } from '@devstack/core';
import { StackLayout } from './local/layout';
import { LocalProvider, LOCAL_SERVICES } from './local/local-provider';

/** Health of each service probed through its endpoint only (no pids: someone else runs it). */
async function probeStatus(config: LoadedConfig): Promise<ServiceStatus[]> {
  const ctx = { config, layout: new StackLayout(config) };
  const all = await Promise.all(STACK_SERVICES.map((s) => LOCAL_SERVICES[s].status(ctx)));
  return all.map((s) => ({ ...s, pid: undefined, logFile: undefined }));
}

/**
 * docker compose: the same stack from docker-compose.yml, configs mounted from configs/. Written for
 * users who have a Docker engine; none runs on the project's own machines.
 */
export class ComposeProvider implements StackProvider {
  readonly name = 'compose' as const;
  constructor(readonly config: LoadedConfig) {}

  private compose(args: string[], timeoutMs = 600000): Promise<RunResult> {
    return runCommand('docker', ['compose', '-f', path.join(this.config.root, 'docker-compose.yml'), ...args], { timeoutMs, cwd: this.config.root }).then((r) => {
      if (r.code !== 0) {
        throw new DevstackError('ENVIRONMENT', `docker compose ${args[0]} failed: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`, {
          fix: 'The compose provider needs a running Docker engine. Without one, use the embedded stack: DEVSTACK_PROVIDER=local.',
        });
      }
      return r;
    });
  }

  async up(services: readonly StackService[] = STACK_SERVICES, _options: UpOptions = {}): Promise<UpReport> {
    const t0 = Date.now();
    await this.compose(['up', '-d', '--wait', ...composeNames(services)]);
    return { started: [...services], alreadyRunning: [], durationMs: Date.now() - t0 };
  }
  async down(options: { purge?: boolean } = {}): Promise<void> {
    await this.compose(['down', ...(options.purge ? ['--volumes'] : [])]);
  }
  status(): Promise<ServiceStatus[]> {
    return probeStatus(this.config);
  }
  async restart(service: StackService): Promise<void> {
    await this.compose(['restart', ...composeNames([service])]);
  }
  activeConfig(service: StackService): string {
    return path.join(this.config.root, 'configs', service, `active.${profileExt(service)}`);
  }
  async applyConfig(service: StackService, file: string): Promise<ApplyConfigResult> {
    return new LocalProvider(this.config).applyConfig(service, file).then((r) => ({ ...r, active: this.activeConfig(service) }));
  }
  exec(networkOrService: string, command: string[]): Promise<RunResult> {
    return this.compose(['exec', '-T', networkOrService, ...command], 120000);
  }
}


/** Endpoints someone else runs: status only; anything that needs a restart says so (exit 2). */
export class ExternalProvider implements StackProvider {
  readonly name = 'external' as const;
  constructor(readonly config: LoadedConfig) {}
  private unsupported(what: string): never {
    throw new DevstackError('UNSUPPORTED', `The external provider cannot ${what}: the stack is run by someone else.`, {
      fix: 'Do it on the servers themselves, or use DEVSTACK_PROVIDER=local for the embedded stack.',
    });
  }
  async up(): Promise<UpReport> {
    return this.unsupported('start services');
  }
  async down(): Promise<void> {
    return this.unsupported('stop services');
  }
  status(): Promise<ServiceStatus[]> {
    return probeStatus(this.config);
  }
  async restart(service: StackService): Promise<void> {
    return this.unsupported(`restart ${service}`);
  }
  activeConfig(): string | undefined {
    return undefined;
  }
  async applyConfig(service: StackService): Promise<ApplyConfigResult> {
    return this.unsupported(`apply a config to ${service}`);
  }
  async exec(): Promise<RunResult> {
    return this.unsupported('run commands next to the services');
  }
}

export function providerFor(config: LoadedConfig): StackProvider {
  switch (config.provider) {
    case 'local':
      return new LocalProvider(config);
    case 'compose':
      return new ComposeProvider(config);
    case 'external':
      return new ExternalProvider(config);
  }
}
