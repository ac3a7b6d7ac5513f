import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitForPort } from '@devstack/core';
import { freePort } from './free-port';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The api process logs when its event loop was blocked (every route stalls at once then), so a load
 * run's spike can be told apart from one slow backend. A real process, frozen with SIGSTOP.
 */
describe('api event-loop stall log', () => {
  it('says nothing while serving normally, and logs the stall after a 700 ms SIGSTOP', async () => {
    const stateRoot = mkdtempSync(path.join(os.tmpdir(), 'api-loop-'));
    const port = await freePort();
    // No stack in this state dir: the backends' start-up pings fail and say so; /health still answers.
    const child = spawn(process.execPath, [path.join(__dirname, '../dist/server.js')], {
      env: { ...process.env, DEVSTACK_STATE_DIR: stateRoot, DEVSTACK_PORT_OFFSET: '0', DEVSTACK_API_PORT: String(port), DEVSTACK_API_TLS: 'off' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    try {
      await waitForPort('127.0.0.1', port, { timeoutMs: 20000, pid: child.pid });
      await sleep(2500);
      const stall = /event loop blocked for up to (\d+) ms in the last second/;
      expect(stderr).not.toMatch(stall);
      child.kill('SIGSTOP');
      await sleep(700);
      child.kill('SIGCONT');
      await sleep(2000);
      const m = stall.exec(stderr);
      expect(m).not.toBeNull();
      // Frozen 700 ms: the loop's timers fire that much late (a busy machine may add to it).
      expect(Number(m![1])).toBeGreaterThanOrEqual(500);
    } finally {
      child.kill('SIGCONT');
      child.kill();
    }
  });
});
