import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDevstackError, type LoadedConfig } from '@devstack/core';
import { checkMaxmemory, parseMemory, parseRedisProfile, renderRedisProfile, resolveProfile, settingMatches, withOverrides } from '../src/profiles';

const root = path.resolve(__dirname, '../../..');
const config = { root, stateRoot: mkdtempSync(path.join(os.tmpdir(), 'redis-profiles-')), profile: 'default' } as LoadedConfig;
const GiB = 2 ** 30;
const dev = () => resolveProfile(config, 'dev').settings;
const durable = () => resolveProfile(config, 'durable').settings;

describe('redis profiles', () => {
  it('configs/redis/dev.conf holds real redis.conf directives with reasons and durability warnings', () => {
    expect(dev().map((s) => `${s.name} ${s.value}`)).toEqual(['maxmemory 512mb', 'maxmemory-policy allkeys-lru', 'tcp-backlog 511', 'save ""', 'appendonly no']);
    expect(dev().find((s) => s.name === 'save')).toMatchObject({ reason: 'no RDB snapshots: no fork pauses while benchmarking', durability: 'a restarted node has no data of its own (its replica or master still has it)' });
    expect(dev().filter((s) => s.durability).map((s) => s.name)).toEqual(['save', 'appendonly']);
    expect(readFileSync(resolveProfile(config, 'dev').file, 'utf8')).toMatch(/^# Redis profile "dev": /);
  });

  it('durable turns on the AOF with everysec; default sets nothing', () => {
    expect(durable().map((s) => `${s.name} ${s.value}`)).toEqual(['appendonly yes', 'appendfsync everysec']);
    expect(resolveProfile(config, 'default').settings).toEqual([]);
  });

  it('renders and parses back the same settings (what --set writes is what tune applies)', () => {
    const text = renderRedisProfile(['Redis profile "x": test'], dev());
    expect(text).toMatch(/^maxmemory 512mb$/m);
    expect(text).toMatch(/# durability: .*\nsave ""/);
    expect(parseRedisProfile(text)).toEqual(dev());
    expect(parseRedisProfile('# just a comment\n\nhz 20\n')).toEqual([{ name: 'hz', value: '20', reason: '(no reason given in the profile file)' }]);
  });

  it('with --set, applies a rendered copy under the state dir that keeps the profile name', () => {
    const p = resolveProfile(config, 'dev', undefined, ['maxmemory=256mb']);
    expect(p.name).toBe('dev');
    expect(p.file).toBe(path.join(config.stateRoot, 'conf', 'redis', 'profiles', 'dev+overrides.conf'));
    const text = readFileSync(p.file, 'utf8');
    expect(text).toMatch(/^# Redis profile "dev": configs\/redis\/dev.conf with --set maxmemory=256mb\.$/m);
    expect(parseRedisProfile(text).find((s) => s.name === 'maxmemory')).toMatchObject({ value: '256mb', reason: 'override (--set)' });
  });

  it('takes any redis.conf fragment with --file', () => {
    const p = resolveProfile(config, undefined, path.join(root, 'configs', 'redis', 'durable.conf'));
    expect(p).toMatchObject({ name: 'durable', settings: durable() });
    expect(() => resolveProfile(config, undefined, '/nonexistent/x.conf')).toThrow('Profile file /nonexistent/x.conf does not exist.');
  });

  it('refuses an unknown profile (and auto, which Redis does not have) with the list of known ones', () => {
    for (const name of ['turbo', 'auto']) {
      try {
        resolveProfile(config, name);
        throw new Error('not refused');
      } catch (err) {
        expect(isDevstackError(err, 'BAD_INPUT')).toBe(true);
        expect((err as Error).message).toBe(`Unknown Redis profile "${name}".`);
        expect((err as { fix: string }).fix).toBe('Use one of: --profile default, --profile dev, --profile durable (files in configs/redis/), or --file <path>.');
      }
    }
  });

  it('applies --set overrides and refuses a malformed one', () => {
    const s = withOverrides(dev(), ['maxmemory=256mb', 'hz=20']);
    expect(s.find((x) => x.name === 'maxmemory')!.value).toBe('256mb');
    expect(s.find((x) => x.name === 'hz')!.value).toBe('20');
    expect(dev()[0].value).toBe('512mb');
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
    const settings = withOverrides(dev(), ['maxmemory=1gb']);
    expect(checkMaxmemory(settings, 6, 8 * GiB)).toContain('6.00 GiB of 8.00 GiB');
    try {
      checkMaxmemory(settings, 6, 5 * GiB);
      throw new Error('not refused');
    } catch (err) {
      expect(isDevstackError(err, 'BAD_INPUT')).toBe(true);
      expect((err as Error).message).toBe('maxmemory 1gb x 6 nodes = 6.00 GiB, but only 5.00 GiB of memory is available.');
    }
    expect(checkMaxmemory(durable(), 6, 1)).toBeUndefined();
  });

  it('matches CONFIG GET answers against requested values', () => {
    const [maxmemory, policy, , save] = dev();
    expect(settingMatches(maxmemory, '536870912')).toBe(true);
    expect(settingMatches(maxmemory, '0')).toBe(false);
    expect(settingMatches(policy, 'allkeys-lru')).toBe(true);
    expect(settingMatches(policy, 'noeviction')).toBe(false);
    expect(settingMatches(save, '')).toBe(true);
    expect(settingMatches(save, '3600 1 300 100 60 10000')).toBe(false);
    expect(settingMatches(policy, undefined)).toBe(false);
  });
});
