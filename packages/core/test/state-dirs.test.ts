import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { reportDir, stateDir } from '../src/state-dirs';
import { certsRoot } from '../src/tls-settings';

describe('stateDir', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'state-dirs-'));
  const stateRoot = path.join(root, '.devstack');
  mkdirSync(stateRoot);

  it('is the plain path when the directory is real or missing', () => {
    mkdirSync(path.join(stateRoot, 'data'));
    expect(stateDir(stateRoot, 'data')).toBe(path.join(stateRoot, 'data'));
    expect(stateDir(stateRoot, 'run')).toBe(path.join(stateRoot, 'run'));
  });

  it('is the link target when .devstack/<dir> is a link to the service area (what servers open)', () => {
    const area = path.join(root, 'area', 'certs');
    mkdirSync(area, { recursive: true });
    symlinkSync(area, path.join(stateRoot, 'certs'));
    expect(stateDir(stateRoot, 'certs')).toBe(area);
    expect(certsRoot({ stateRoot })).toBe(area);
  });

  it('keeps generated pages under .devstack/report', () => {
    expect(reportDir(stateRoot)).toBe(path.join(stateRoot, 'report'));
  });
});
