import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { isDevstackError } from '@devstack/core';
import { autoCacheGB, mongoProfiles, profileOf, renderProfile, settingMatches } from '../src/profiles';

const root = path.resolve(__dirname, '../../..');
const GiB = 2 ** 30;
const reference = mongoProfiles(8 * GiB);

describe('mongod profiles', () => {
  it.each(['default', 'dev', 'auto'])('configs/mongodb/mongod/%s.conf is the rendering of profiles.ts (auto: for an 8 GiB machine)', (name) => {
    expect(readFileSync(path.join(root, 'configs', 'mongodb', 'mongod', `${name}.conf`), 'utf8')).toBe(renderProfile(reference[name]));
  });

  it('dev is real mongod.conf YAML with the nested settings', () => {
    expect(parse(renderProfile(reference.dev))).toEqual({
      storage: {
        journal: { commitIntervalMs: 100 },
        wiredTiger: { collectionConfig: { blockCompressor: 'zstd' }, engineConfig: { cacheSizeGB: 1 } },
      },
    });
    expect(parse(renderProfile(reference.default))).toEqual({});
  });

  it('auto sizes the cache from memory and shows the formula', () => {
    expect(autoCacheGB(8 * GiB)).toBe(1.75);
    expect(autoCacheGB(2 * GiB)).toBe(0.25);
    expect(autoCacheGB(64 * GiB)).toBe(15.75);
    const auto = mongoProfiles(32 * GiB).auto;
    expect(auto.settings[0]).toMatchObject({ name: 'storage.wiredTiger.engineConfig.cacheSizeGB', value: '7.75' });
    expect(renderProfile(auto)).toContain('# cacheSizeGB = max(0.25, floor((RAM GiB - 1) / 4, 0.05)) = 7.75 for RAM 32.0 GiB');
    expect(parse(renderProfile(auto)).storage.wiredTiger.engineConfig.cacheSizeGB).toBe(7.75);
  });

  it('refuses an unknown profile with BAD_INPUT and the list', () => {
    const err = (() => {
      try {
        profileOf(root, 'turbo');
      } catch (e) {
        return e;
      }
    })();
    expect(isDevstackError(err, 'BAD_INPUT')).toBe(true);
    expect((err as Error).message).toBe('Unknown MongoDB profile "turbo".');
    expect((err as { fix: string }).fix).toContain('--profile dev');
  });

  it('compares read-back values numerically or by text', () => {
    const [cache, compressor] = reference.dev.settings;
    expect(settingMatches(cache, '1')).toBe(true);
    expect(settingMatches(cache, '1.0')).toBe(true);
    expect(settingMatches(cache, '7.5')).toBe(false);
    expect(settingMatches(compressor, 'zstd')).toBe(true);
    expect(settingMatches(compressor, 'snappy')).toBe(false);
    expect(settingMatches(compressor, undefined)).toBe(false);
  });
});
