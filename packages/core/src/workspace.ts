import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The workspace root: DEVSTACK_ROOT, else the nearest directory above `from` holding nx.json.
 * Nx runs targets with cwd = the project root, so every path is resolved from here, never from cwd.
 */
export function workspaceRoot(from: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (env.DEVSTACK_ROOT) return path.resolve(env.DEVSTACK_ROOT);
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from);
    dir = parent;
  }
}
