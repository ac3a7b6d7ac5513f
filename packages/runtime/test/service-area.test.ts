import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync, chmodSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { canTraverse, prepareServerDirs, removeOrphanAreas, removeStateDir, serviceAreaOf } from '../src/local/service-area';
import { StackLayout } from '../src/local/layout';
import type { LoadedConfig } from '@devstack/core';

// Asking the kernel as another account needs root; as an ordinary user there is no service account.
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const nobody = { uid: 65534, gid: 65534 };

describe('service area (checkouts the service account cannot reach)', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'area-base-'));
  chmodSync(base, 0o755);
  beforeAll(() => {
    process.env.DEVSTACK_SERVICE_AREA = base;
  });
  afterAll(() => {
    delete process.env.DEVSTACK_SERVICE_AREA;
  });

  it('maps one checkout to one area, by a hash of its .devstack path', () => {
    expect(serviceAreaOf('/tmp/a b/.devstack', base)).toBe(serviceAreaOf('/tmp/a b/.devstack', base));
    expect(serviceAreaOf('/tmp/a b/.devstack', base)).not.toBe(serviceAreaOf('/tmp/a c/.devstack', base));
    expect(path.basename(serviceAreaOf('/x/.devstack', base))).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps everything in .devstack/ when there is no service account (not root)', () => {
    const stateRoot = path.join(mkdtempSync(path.join(os.tmpdir(), 'area-')), 'with space', '.devstack');
    expect(prepareServerDirs(stateRoot, undefined)).toEqual({ root: stateRoot, relocated: false });
  });

  (asRoot ? it : it.skip)('links data, conf, run and certs to the area when the parent is mode 0700, moving what exists; purge removes both', () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'area-private-')); // mode 0700, like mktemp -d
    const stateRoot = path.join(parent, 'my checkout', '.devstack');
    mkdirSync(path.join(stateRoot, 'conf'), { recursive: true });
    writeFileSync(path.join(stateRoot, 'conf', 'tls.json'), '{}');
    expect(canTraverse(stateRoot, nobody)).toBe(false);
    const messages: string[] = [];
    const plan = prepareServerDirs(stateRoot, nobody, (m) => messages.push(m));
    expect(plan).toEqual({ root: serviceAreaOf(stateRoot, base), relocated: true });
    expect(messages[0]).toContain('cannot reach');
    for (const d of ['data', 'conf', 'run', 'certs']) {
      expect(lstatSync(path.join(stateRoot, d)).isSymbolicLink()).toBe(true);
      expect(realpathSync(path.join(stateRoot, d))).toBe(path.join(plan.root, d));
    }
    expect(readFileSync(path.join(plan.root, 'conf', 'tls.json'), 'utf8')).toBe('{}');
    expect(readFileSync(path.join(plan.root, 'checkout'), 'utf8')).toBe(`${stateRoot}\n`);
    expect(canTraverse(path.join(plan.root, 'data'), nobody)).toBe(true);
    // The layout hands servers the real paths.
    const layout = new StackLayout({ stateRoot, root: path.dirname(stateRoot) } as LoadedConfig);
    expect(layout.data('postgres')).toBe(path.join(plan.root, 'data', 'postgres'));
    expect(layout.pid('mysql')).toBe(path.join(plan.root, 'run', 'mysql.pid'));
    // Idempotent: a second up keeps the links.
    expect(prepareServerDirs(stateRoot, nobody).root).toBe(plan.root);
    for (const d of ['data', 'conf', 'run', 'certs']) expect(removeStateDir(stateRoot, d)).toEqual([path.join(plan.root, d), path.join(stateRoot, d)]);
    expect(existsSync(plan.root)).toBe(false);
  });

  it('removes areas whose checkout is gone, and only those', () => {
    const live = path.join(base, 'live');
    const orphan = path.join(base, 'orphan');
    mkdirSync(path.join(live, 'data'), { recursive: true });
    mkdirSync(path.join(orphan, 'data'), { recursive: true });
    writeFileSync(path.join(live, 'checkout'), `${base}\n`);
    writeFileSync(path.join(orphan, 'checkout'), `${path.join(base, 'deleted-clone', '.devstack')}\n`);
    expect(removeOrphanAreas(base)).toEqual([orphan]);
    expect(existsSync(live)).toBe(true);
  });

  (asRoot ? it : it.skip)('keeps a traversable checkout in place', () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'area-open-'));
    chmodSync(parent, 0o755);
    const stateRoot = path.join(parent, '.devstack');
    expect(prepareServerDirs(stateRoot, nobody)).toEqual({ root: stateRoot, relocated: false });
  });
});
