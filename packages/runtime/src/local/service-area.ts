import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SERVER_STATE_DIRS, type ServerStateDir } from '@devstack/core';
import type { Account } from './service';

/**
 * PostgreSQL and MariaDB run as the unprivileged `devstack` account when we are root. A checkout in
 * a mode-0700 directory (`mktemp -d`, /root) is not traversable by that account, so the directories
 * the servers open (data, conf, run, certs) then live in a service area outside the checkout,
 * /var/lib/devstack-perf/<hash of the .devstack path>/, and .devstack/<dir> is a symlink to it.
 * Everything else (results, logs, reports, Vault keys, AppRoles) stays in .devstack/.
 */
export const SERVICE_AREA_BASE = '/var/lib/devstack-perf';

export function serviceAreaBase(env: NodeJS.ProcessEnv = process.env): string {
  return env.DEVSTACK_SERVICE_AREA ? path.resolve(env.DEVSTACK_SERVICE_AREA) : SERVICE_AREA_BASE;
}

/** One area per checkout: the same .devstack path always maps to the same directory. */
export function serviceAreaOf(stateRoot: string, base = serviceAreaBase()): string {
  return path.join(base, createHash('sha256').update(path.resolve(stateRoot)).digest('hex').slice(0, 16));
}

/** Can `account` reach (search) `dir`? Asked of the kernel, as that account, so ACLs and groups count. */
export function canTraverse(dir: string, account: Account): boolean {
  const r = spawnSync('test', ['-x', dir], { uid: account.uid, gid: account.gid, stdio: 'ignore' });
  return r.status === 0;
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

export interface ServerDirsPlan {
  /** Where data, conf, run and certs really are: the service area, or .devstack/ itself. */
  root: string;
  relocated: boolean;
}

/**
 * Before `up` creates anything: keep the server directories in .devstack/ when the service account
 * can reach them (or there is none: not root), else link them to the service area. A checkout
 * already linked stays linked; real directories from an earlier run are moved over.
 */
export function prepareServerDirs(stateRoot: string, account: Account | undefined, progress: (m: string) => void = () => undefined): ServerDirsPlan {
  mkdirSync(stateRoot, { recursive: true, mode: 0o755 });
  const linked = SERVER_STATE_DIRS.some((d) => isLink(path.join(stateRoot, d)));
  if (!account || (!linked && canTraverse(stateRoot, account))) return { root: stateRoot, relocated: false };
  const area = serviceAreaOf(stateRoot);
  removeOrphanAreas(path.dirname(area), progress);
  if (!linked) progress(`the service account cannot reach ${stateRoot}: server data goes to ${area} (linked from .devstack/)`);
  mkdirSync(area, { recursive: true, mode: 0o755 });
  // Says whose area this is, for a person looking at /var/lib/devstack-perf.
  writeFileSync(path.join(area, 'checkout'), `${stateRoot}\n`);
  for (const d of SERVER_STATE_DIRS) linkStateDir(stateRoot, area, d);
  return { root: area, relocated: true };
}

function linkStateDir(stateRoot: string, area: string, name: ServerStateDir): void {
  const link = path.join(stateRoot, name);
  const target = path.join(area, name);
  if (isLink(link)) {
    if (path.resolve(stateRoot, readlinkSync(link)) === target) {
      mkdirSync(target, { recursive: true, mode: 0o755 });
      return;
    }
    rmSync(link);
  }
  mkdirSync(target, { recursive: true, mode: 0o755 });
  if (existsSync(link)) {
    cpSync(link, target, { recursive: true, preserveTimestamps: true });
    rmSync(link, { recursive: true, force: true });
  }
  symlinkSync(target, link, 'dir');
}

/**
 * Areas whose checkout is gone (its .devstack/ deleted without `down --purge`, e.g. a removed
 * clone or a test's scratch state dir) are removed, so /var/lib/devstack-perf does not fill up.
 */
export function removeOrphanAreas(base: string, progress: (m: string) => void = () => undefined): string[] {
  const removed: string[] = [];
  if (!existsSync(base)) return removed;
  for (const name of readdirSync(base)) {
    const area = path.join(base, name);
    const owner = path.join(area, 'checkout');
    if (!existsSync(owner)) continue;
    const stateRoot = readFileSync(owner, 'utf8').trim();
    if (stateRoot && !existsSync(stateRoot)) {
      rmSync(area, { recursive: true, force: true });
      removed.push(area);
      progress(`removed ${area}: its checkout ${stateRoot} is gone`);
    }
  }
  return removed;
}

/** `down --purge`: remove .devstack/<name> and, when it is a link, the directory it points to. */
export function removeStateDir(stateRoot: string, name: string): string[] {
  const link = path.join(stateRoot, name);
  const removed: string[] = [];
  if (isLink(link)) {
    const target = path.resolve(stateRoot, readlinkSync(link));
    if (existsSync(target)) {
      rmSync(target, { recursive: true, force: true });
      removed.push(target);
    }
    rmSync(link, { force: true });
    removed.push(link);
    // The area goes with its last server directory.
    const area = path.dirname(target);
    if (existsSync(area) && readdirSync(area).every((f) => f === 'checkout')) rmSync(area, { recursive: true, force: true });
  } else if (existsSync(link)) {
    rmSync(link, { recursive: true, force: true });
    removed.push(link);
  }
  return removed;
}
