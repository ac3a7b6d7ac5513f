import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { executableReplaced } from '../src/local/service';

// A real process from a copy of sleep(1); a rebuild is simulated the way tools/setup.sh installs
// FerretDB: a new file renamed over the old one while the process runs.
describe('executableReplaced', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'exe-replaced-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is false while the binary is the one the process started from, and true once another file is moved over it', async () => {
    const bin = path.join(dir, 'sleeper');
    copyFileSync('/bin/sleep', bin);
    const child = spawn(bin, ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(executableReplaced(child.pid!)).toBe(false);
      copyFileSync('/bin/sleep', `${bin}.new`);
      renameSync(`${bin}.new`, bin);
      expect(executableReplaced(child.pid!)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('is false for a process that does not exist', () => {
    expect(executableReplaced(2 ** 22 + 12345)).toBe(false);
  });
});
