import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { APPROLE_SERVICES, bootstrapAppRoles, CONSUMED_SECRETS, CREDENTIAL_SERVICES, grantName, type LoadedConfig, DEFAULT_USERS, STACK_SERVICES, type StackService, DevstackError, isDevstackError, portIsFree, runCommand, type RunResult, silentProgress, type Progress, type ApplyConfigResult, type ServiceStatus, type StackProvider, type UpOptions, type UpReport, registerSecret, kvBody, kvData, kvPath, operatorClient } from '@devstack/core';
import { apiEntry, apiStatus, API_PID, startApi, stopApi } from './api-server';
import { StackLayout } from './layout';
import { mariadbService } from './mariadb-server';
import { mongoService } from './mongo-server';
import { postgresService } from './postgres-server';
import { redisService } from './redis-cluster';
import { prepareServerDirs, removeStateDir } from './service-area';
import { runningPid, serviceAccount, type LocalContext, type LocalService } from './service';
import { vaultService } from './vault-server';

/** Start order: Vault first (it holds every credential), then the data tier. */
export const LOCAL_SERVICES: Record<StackService, LocalService> = {
  vault: vaultService,
  postgres: postgresService,
  mysql: mariadbService,
  mongodb: mongoService,
  redis: redisService,
};

const SECRET_SERVICES = CREDENTIAL_SERVICES;

/** The embedded stack: real servers as child processes, everything under .devstack/. */
export class LocalProvider implements StackProvider {
  readonly name = 'local' as const;
  readonly layout: StackLayout;

  constructor(readonly config: LoadedConfig) {
    this.layout = new StackLayout(config);
  }

  async up(services: readonly StackService[] = STACK_SERVICES, options: UpOptions = {}): Promise<UpReport> {
    const t0 = Date.now();
    const progress = options.progress ?? silentProgress;
    const wanted = STACK_SERVICES.filter((s) => s === 'vault' || services.includes(s));
    mkdirSync(path.join(this.config.stateRoot, 'logs'), { recursive: true });

    const alreadyRunning: string[] = [];
    const toStart: StackService[] = [];
    for (const s of wanted) {
      const svc = LOCAL_SERVICES[s];
      const running = svc.pidNames(this.config).every((p) => runningPid(this.layout, p)) && !svc.outdated?.({ config: this.config, layout: this.layout });
      if (running) alreadyRunning.push(s);
      else toStart.push(s);
    }
    // Fail before starting anything when a port we need is taken by someone else.
    for (const s of toStart) {
      const svc = LOCAL_SERVICES[s];
      for (const [i, port] of svc.ports(this.config).entries()) {
        const owners = svc.portPids?.(this.config) ?? svc.pidNames(this.config);
        const pidName = owners[Math.min(i, owners.length - 1)];
        if (runningPid(this.layout, pidName)) continue;
        if (!(await portIsFree(this.config.host, port))) {
          throw new DevstackError('PORT_IN_USE', `${s}: port ${port} on ${this.config.host} is already in use by another process.`, {
            fix: `Stop whatever listens on ${port} (ss -ltnp 'sport = :${port}'), or move the stack with DEVSTACK_PORT_OFFSET=100 (or "ports.${s}" in devstack.config.json).`,
            details: { service: s, port },
          });
        }
      }
    }

    // Only once something will start: a refused `up` leaves no service area behind.
    prepareServerDirs(this.config.stateRoot, serviceAccount(), progress);
    mkdirSync(this.layout.run, { recursive: true });
    const ctx: LocalContext = { config: this.config, layout: this.layout, progress, signal: options.signal, secrets: new Map() };
    const started: StackService[] = [];
    try {
      for (const s of wanted) {
        if (s !== 'vault' && ctx.secrets.size === 0) await this.loadSecrets(ctx);
        const wasRunning = alreadyRunning.includes(s);
        if (!wasRunning) started.push(s);
        // start() is also safe on a running service: it re-checks health, unseal, cluster shape, users.
        await LOCAL_SERVICES[s].start(ctx);
        if (s === 'vault') {
          await this.loadSecrets(ctx);
          const report = await bootstrapAppRoles(this.config, operatorClient(this.config));
          report.warnings.forEach((w) => progress(`vault: warning: ${w}`));
        }
      }
    } catch (err) {
      const failing = started[started.length - 1];
      progress(`up failed at ${failing ?? 'preflight'}; stopping what this run started: ${started.join(', ') || 'nothing'}`);
      for (const s of [...started].reverse()) await LOCAL_SERVICES[s].stop(ctx).catch(() => undefined);
      const logFile = failing ? this.layout.log(LOCAL_SERVICES[failing].pidNames()[0]) : undefined;
      const message = `stack up failed at ${failing}: ${(err as Error).message}`;
      throw new DevstackError(isDevstackError(err) ? err.code : 'ENVIRONMENT', message, {
        cause: err,
        fix: [isDevstackError(err) ? err.fix : undefined, logFile ? `Log file: ${logFile}` : undefined].filter(Boolean).join('\n'),
        details: { service: failing, logFile },
      });
    }
    // The api goes last (it reads every other service); its failure is reported, not fatal to the stack.
    const api = await startApi(this.config, this.layout, progress).catch((err: Error) => {
      progress(`api: warning: failed to start: ${err.message} (log: ${this.layout.log(API_PID)})`);
      return 'failed' as const;
    });
    if (api === 'started') started.push('api' as StackService);
    else if (api === 'running') alreadyRunning.push('api');
    return { started, alreadyRunning, durationMs: Date.now() - t0 };
  }

  /**
   * Read (or on first start generate) each service's credentials in Vault's KV, then copy what each
   * role consumes under that role's own path (approle.ts CONSUMED_SECRETS), so policies stay per path.
   */
  private async loadSecrets(ctx: LocalContext): Promise<void> {
    const op = operatorClient(this.config);
    const read = async (p: string): Promise<Record<string, string>> => {
      try {
        return kvData(this.config, (await op.read(p)) as { data?: Record<string, unknown> });
      } catch (err) {
        if ((err as { response?: { statusCode?: number } }).response?.statusCode !== 404) throw err;
        return {};
      }
    };
    for (const s of SECRET_SERVICES) {
      const p = kvPath(this.config, s);
      let data = await read(p);
      if (!data.password) {
        data = { username: DEFAULT_USERS[s], password: randomBytes(18).toString('base64url') };
        await op.write(p, kvBody(this.config, data));
      }
      registerSecret(data.password);
      ctx.secrets.set(s, { user: data.username ?? DEFAULT_USERS[s], password: data.password });
    }
    for (const role of APPROLE_SERVICES) {
      if (!(SECRET_SERVICES as readonly string[]).includes(role)) {
        const own = kvPath(this.config, role);
        if (!Object.keys(await read(own)).length) await op.write(own, kvBody(this.config, { purpose: `devstack ${role}: grants under this path are written by stack up` }));
      }
      for (const s of CONSUMED_SECRETS[role]) {
        const src = ctx.secrets.get(s as (typeof SECRET_SERVICES)[number]);
        if (!src) continue;
        const grant = kvPath(this.config, grantName(role, s));
        const have = await read(grant);
        if (have.password !== src.password || have.username !== src.user) await op.write(grant, kvBody(this.config, { username: src.user, password: src.password }));
      }
    }
  }

  async down(options: { purge?: boolean; progress?: Progress } = {}): Promise<void> {
    const progress = options.progress ?? silentProgress;
    if (runningPid(this.layout, API_PID)) progress('api: stopping');
    await stopApi(this.layout);
    rmSync(this.layout.pid(API_PID), { force: true });
    for (const s of [...STACK_SERVICES].reverse()) {
      const svc = LOCAL_SERVICES[s];
      if (svc.pidNames().some((p) => runningPid(this.layout, p))) progress(`${s}: stopping`);
      await svc.stop({ config: this.config, layout: this.layout });
      for (const p of svc.pidNames()) rmSync(this.layout.pid(p), { force: true });
    }
    if (options.purge) {
      for (const d of ['data', 'conf', 'vault', 'approles', 'run', 'certs']) {
        // A linked directory (see service-area.ts) goes with the service-area directory it points to.
        for (const dir of removeStateDir(this.config.stateRoot, d)) progress(`purge: removing ${dir.startsWith(this.config.root) ? path.relative(this.config.root, dir) : dir}`);
      }
    }
  }

  async status(): Promise<ServiceStatus[]> {
    const ctx = { config: this.config, layout: this.layout };
    const statuses = await Promise.all(STACK_SERVICES.map((s) => LOCAL_SERVICES[s].status(ctx)));
    // The api is listed once it is built (or running), so a checkout without it still reports a healthy stack.
    if (existsSync(apiEntry(this.config)) || runningPid(this.layout, API_PID)) statuses.push(await apiStatus(this.config, this.layout));
    return statuses;
  }

  async restart(service: StackService, options: UpOptions = {}): Promise<void> {
    const svc = LOCAL_SERVICES[service];
    await svc.stop({ config: this.config, layout: this.layout });
    for (const p of svc.pidNames()) rmSync(this.layout.pid(p), { force: true });
    const ctx: LocalContext = { config: this.config, layout: this.layout, progress: options.progress ?? silentProgress, signal: options.signal, secrets: new Map() };
    if (service !== 'vault') await this.loadSecrets(ctx);
    await svc.start(ctx);
  }

  activeConfig(service: StackService): string {
    return this.layout.activeConfig(service);
  }

  async applyConfig(service: StackService, file: string): Promise<ApplyConfigResult> {
    if (!existsSync(file)) throw new DevstackError('BAD_INPUT', `Config file ${file} does not exist.`);
    const active = this.layout.activeConfig(service);
    mkdirSync(path.dirname(active), { recursive: true });
    let backup: string | undefined;
    if (existsSync(active)) {
      const dir = this.layout.conf(service, 'backups');
      mkdirSync(dir, { recursive: true });
      backup = path.join(dir, `${path.basename(active)}.${new Date().toISOString().replace(/[:.]/g, '-')}`);
      copyFileSync(active, backup);
    }
    if (path.resolve(file) !== path.resolve(active)) copyFileSync(file, active);
    return { active, backup };
  }

  exec(_networkOrService: string, command: string[]): Promise<RunResult> {
    return runCommand(command[0], command.slice(1), { timeoutMs: 60000 });
  }
}
