import { existsSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type LoadedConfig, profileExt, stateDir, which } from '@devstack/core';

/**
 * Where the local provider keeps everything, all under .devstack/. data, conf and run resolve
 * through their symlinks (see service-area.ts), so the paths handed to servers are reachable by
 * the service account wherever the checkout is.
 */
export class StackLayout {
  constructor(readonly config: LoadedConfig) {}
  get root(): string {
    return this.config.stateRoot;
  }
  data(service: string, ...rest: string[]): string {
    return path.join(stateDir(this.root, 'data'), service, ...rest);
  }
  conf(service: string, ...rest: string[]): string {
    return path.join(stateDir(this.root, 'conf'), service, ...rest);
  }
  log(name: string): string {
    return path.join(this.root, 'logs', `${name}.log`);
  }
  pid(name: string): string {
    return path.join(this.run, `${name}.pid`);
  }
  get run(): string {
    return stateDir(this.root, 'run');
  }
  /** The active profile config of a service: what tune swaps and backs up. */
  activeConfig(service: string): string {
    return this.conf(service, `active.${profileExt(service)}`);
  }
  /** A profile file shipped in configs/<service>/. */
  profile(service: string, profile: string): string {
    const dir = path.join(this.config.root, 'configs', service);
    return path.join(dir, `${profile}.${profileExt(service)}`);
  }
}

/** Extra places where setup.sh puts binaries built from source (go install, cargo install). */
export function toolDirs(): string[] {
  const home = os.homedir();
  return [path.join(home, 'go', 'bin'), path.join(home, '.cargo', 'bin'), '/usr/sbin', '/usr/local/sbin', '/usr/local/go/bin'];
}

export function findBinary(...names: string[]): string | undefined {
  for (const n of names) {
    const found = which(n, toolDirs());
    if (found) return found;
  }
  return undefined;
}

/** PostgreSQL server binaries: Debian keeps them in /usr/lib/postgresql/<major>/bin; prefer 15. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const majors = readdirSync(base).filter((d) => existsSync(path.join(base, d, 'bin', 'postgres')));
    majors.sort((a, b) => (a === '15' ? -1 : b === '15' ? 1 : Number(b) - Number(a)));
    if (majors.length) return path.join(base, majors[0], 'bin');
  }
  const onPath = which('postgres');
  return onPath ? path.dirname(onPath) : undefined;
}
