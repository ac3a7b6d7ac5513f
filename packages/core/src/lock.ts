import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DevstackError } from './errors';
import { isAlive } from './process';

const held = new Map<string, number>();

/**
 * A pid lock file under .devstack/locks. Live tasks (tune, bench, failover, load) share one lock so
 * two never disturb each other's measurements. Re-entrant within one process; a stale lock (dead pid)
 * is taken over.
 */
export async function withLock<T>(stateRoot: string, name: string, what: string, fn: () => Promise<T>): Promise<T> {
  const file = path.join(stateRoot, 'locks', `${name}.lock`);
  if ((held.get(file) ?? 0) > 0) {
    held.set(file, held.get(file)! + 1);
    try {
      return await fn();
    } finally {
      held.set(file, held.get(file)! - 1);
    }
  }
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n${what}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const [pidText, holder] = readFileSync(file, 'utf8').split('\n');
      const pid = Number(pidText);
      if (isAlive(pid) && pid !== process.pid) {
        throw new DevstackError('LOCKED', `Another live task holds the ${name} lock: ${holder || 'unknown'} (pid ${pid}).`, {
          fix: `Wait for it to finish, or stop pid ${pid}. Live tasks never run side by side, so their measurements stay clean.`,
        });
      }
      rmSync(file, { force: true });
      if (attempt === 1) throw err;
    }
  }
  held.set(file, 1);
  try {
    return await fn();
  } finally {
    held.delete(file);
    rmSync(file, { force: true });
  }
}
