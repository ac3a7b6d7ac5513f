import { lstatSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The directories of .devstack/ that the servers themselves read (data, configs, sockets,
 * certificates). When the checkout sits where the service account cannot reach (a mode-0700
 * `mktemp -d`, /root), the local provider keeps them under /var/lib/devstack-perf/<hash>/ and
 * leaves symlinks in .devstack/; see runtime/src/local/service-area.ts.
 */
export const SERVER_STATE_DIRS = ['data', 'conf', 'run', 'certs'] as const;
export type ServerStateDir = (typeof SERVER_STATE_DIRS)[number];

/**
 * .devstack/<name> as a path a server can open: the symlink's target when it is one, so the
 * server's account never has to traverse the checkout's parents.
 */
export function stateDir(stateRoot: string, name: ServerStateDir): string {
  const link = path.join(stateRoot, name);
  try {
    if (lstatSync(link).isSymbolicLink()) return realpathSync(link);
  } catch {
    // Missing (not created yet) or a dangling link: the plain path, created on demand.
  }
  return link;
}

/**
 * Where runs write generated pages (TUNING_RESULTS.md, FAILOVER_PLAYBOOK.md, the report's pages and
 * HTML): .devstack/report/. The committed docs/ copies change only through `nx run report:docs`,
 * so running the tools never dirties a checkout.
 */
export function reportDir(stateRoot: string): string {
  return path.join(stateRoot, 'report');
}
