import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@devstack/core';
import { profileTuneTask, type ProfileTuneOptions } from '../src/profile-tune';

/**
 * The shared tune task takes the live lock before it touches anything: a second live task (another
 * terminal) is refused with LOCKED, naming the holder. Every backend's tune is this task, so one test
 * covers them all; the lock is a real file held by a real process.
 */
describe('profileTuneTask and the live lock', () => {
  it('a tune while another live task holds the lock is refused with LOCKED, before the profile is even read', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'runtime-lock-'));
    const config = loadConfig({ root, env: {} });
    let touched = false;
    const tune = profileTuneTask<ProfileTuneOptions>({
      backend: 'postgres',
      service: 'postgres',
      serverName: 'PostgreSQL',
      resolveProfile: () => {
        touched = true;
        throw new Error('the profile must not be read while another task holds the lock');
      },
      readBack: async () => ({}),
      serverVersion: async () => ({ name: 'PostgreSQL', version: '-' }),
      bench: async () => {
        throw new Error('never benched');
      },
      sizeOptions: [],
    });
    const lockFile = path.join(config.stateRoot, 'locks', 'live.lock');
    const holder: ChildProcess = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      mkdirSync(path.dirname(lockFile), { recursive: true });
      writeFileSync(lockFile, `${holder.pid}\npostgres tune (another terminal)\n`, { flag: 'wx' });
      await expect(tune({ config, profile: 'dev' })).rejects.toMatchObject({
        code: 'LOCKED',
        message: `Another live task holds the live lock: postgres tune (another terminal) (pid ${holder.pid}).`,
      });
      expect(touched).toBe(false);
    } finally {
      holder.kill('SIGTERM');
      rmSync(root, { recursive: true, force: true });
    }
  });
});
