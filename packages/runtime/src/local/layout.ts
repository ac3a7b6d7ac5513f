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

/** Where tools/setup.sh links binaries it installs into the project (OpenBao from its pinned venv). */
export const PROJECT_TOOLS_BIN = path.join('.devstack', 'tools', 'bin');

/** Extra places where setup.sh puts binaries (go install; the project's own tool dir), after PATH. */
export function toolDirs(root?: string): string[] {
  const home = os.homedir();
  return [path.join(home, 'go', 'bin'), '/usr/sbin', '/usr/local/sbin', '/usr/local/go/bin', ...(root ? [path.join(root, PROJECT_TOOLS_BIN)] : [])];
}

/** The first of `names` found on PATH or in the tool dirs (a name earlier in the list wins). */
export function findBinary(...names: string[]): string | undefined {
  return findBinaryIn(undefined, ...names);
}

export function findBinaryIn(root: string | undefined, ...names: string[]): string | undefined {
  for (const n of names) {
    const found = which(n, toolDirs(root));
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
