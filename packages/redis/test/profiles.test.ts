import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDevstackError } from '@devstack/core';
import { checkMaxmemory, parseMemory, profileSettings, REDIS_PROFILES, renderProfile, settingMatches, withOverrides } from '../src/profiles';

const root = path.resolve(__dirname, '../../..');
const GiB = 2 ** 30;

describe('redis profiles', () => {
  it.each(Object.keys(REDIS_PROFILES))('configs/redis/%s.conf is the rendering of profiles.ts', (name) => {
    expect(readFileSync(path.join(root, 'configs', 'redis', `${name}.conf`), 'utf8')).toBe(renderProfile(REDIS_PROFILES[name]));
  });

  it('dev renders real redis.conf directives with reasons and durability warnings', () => {
    const text = renderProfile(REDIS_PROFILES.dev);
    expect(text).toMatch(/^maxmemory 512mb$/m);
    expect(text).toMatch(/^maxmemory-policy allkeys-lru$/m);
    expect(text).toMatch(/^tcp-backlog 511$/m);
    expect(text).toMatch(/^save ""$/m);
    expect(text).toMatch(/^appendonly no$/m);
    expect(text).toMatch(/# DURABILITY: .*\nsave ""/);
  });

  it('durable turns on the AOF with everysec', () => {
    expect(REDIS_PROFILES.durable.settings.map((s) => `${s.name} ${s.value}`)).toEqual(['appendonly yes', 'appendfsync everysec']);
  });

  it('refuses an unknown profile with the list of known ones', () => {
    expect(() => profileSettings(root, 'turbo')).toThrow(/Unknown Redis profile "turbo"/);
    try {
      profileSettings(root, 'turbo');
    } catch (err) {
      expect(isDevstackError(err, 'BAD_INPUT')).toBe(true);
      expect((err as { fix: string }).fix).toContain('--profile dev');
    }
  });

  it('applies --set overrides and refuses a malformed one', () => {
    const s = withOverrides(REDIS_PROFILES.dev.settings, ['maxmemory=256mb', 'hz=20']);
    expect(s.find((x) => x.name === 'maxmemory')!.value).toBe('256mb');
    expect(s.find((x) => x.name === 'hz')!.value).toBe('20');
    expect(REDIS_PROFILES.dev.settings[0].value).toBe('512mb');
    expect(() => withOverrides([], ['maxmemory'])).toThrow(/Bad --set "maxmemory"/);
  });

  it('parses Redis memory units (k/m/g decimal, kb/mb/gb binary)', () => {
    expect(parseMemory('512mb')).toBe(512 * 2 ** 20);
    expect(parseMemory('1g')).toBe(1e9);
    expect(parseMemory('1GB')).toBe(GiB);
    expect(parseMemory('1000')).toBe(1000);
    expect(() => parseMemory('lots')).toThrow(/not a Redis memory size/);
  });

  it('refuses a maxmemory that six nodes cannot hold in the available memory (exit 2)', () => {
    const settings = withOverrides(REDIS_PROFILES.dev.settings, ['maxmemory=1gb']);
    expect(checkMaxmemory(settings, 6, 8 * GiB)).toContain('6.00 GiB of 8.00 GiB');
    try {
      checkMaxmemory(settings, 6, 5 * GiB);
      throw new Error('not refused');
    } catch (err) {
      expect(isDevstackError(err, 'BAD_INPUT')).toBe(true);
      expect((err as Error).message).toBe('maxmemory 1gb x 6 nodes = 6.00 GiB, but only 5.00 GiB of memory is available.');
    }
    expect(checkMaxmemory(REDIS_PROFILES.durable.settings, 6, 1)).toBeUndefined();
  });

  it('matches CONFIG GET answers against requested values', () => {
    const [maxmemory, policy, , save] = REDIS_PROFILES.dev.settings;
    expect(settingMatches(maxmemory, '536870912')).toBe(true);
    expect(settingMatches(maxmemory, '0')).toBe(false);
    expect(settingMatches(policy, 'allkeys-lru')).toBe(true);
    expect(settingMatches(policy, 'noeviction')).toBe(false);
    expect(settingMatches(save, '')).toBe(true);
    expect(settingMatches(save, '3600 1 300 100 60 10000')).toBe(false);
    expect(settingMatches(policy, undefined)).toBe(false);
  });
});
