import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDevstackError, loadConfig, parseProfileFile } from '@devstack/core';
import { isPostgresFragment } from '@devstack/runtime';
import { backendAutoProfile, renderBackendAuto, resolveBackendProfile } from '../src/backend-profiles';

const root = path.resolve(__dirname, '../../..');
const config = loadConfig({ root, env: {} });
const GiB = 1024 ** 3;
const file = (name: string) => readFileSync(path.join(root, 'configs', 'mongodb', `${name}.conf`), 'utf8');

describe('FerretDB backend PostgreSQL profiles (configs/mongodb/*.conf)', () => {
  it('default sets nothing: PostgreSQL\'s built-in values apply', () => {
    expect(parseProfileFile(file('default'))).toEqual([]);
    expect(isPostgresFragment(file('default'))).toBe(true);
  });

  it('dev is a postgresql.conf fragment with real knobs, each with a reason, and flags the durability trade', () => {
    const dev = parseProfileFile(file('dev'));
    expect(isPostgresFragment(file('dev'))).toBe(true);
    expect(Object.fromEntries(dev.map((s) => [s.name, s.value]))).toMatchObject({
      shared_buffers: '256MB',
      work_mem: '16MB',
      synchronous_commit: 'off',
      checkpoint_timeout: '15min',
      max_wal_size: '2GB',
      checkpoint_completion_target: '0.9',
    });
    for (const s of dev) expect(s.reason).not.toBe('(no reason given in the profile file)');
    expect(dev.filter((s) => s.durability).map((s) => s.name)).toEqual(['synchronous_commit']);
  });

  it('the mongod.conf profiles are not backend profiles (YAML, not name = value)', () => {
    const yaml = readFileSync(path.join(root, 'configs', 'mongodb', 'mongod', 'dev.conf'), 'utf8');
    expect(isPostgresFragment(yaml)).toBe(false);
    expect(isPostgresFragment('# mongod profile "default"\n{}\n')).toBe(false);
  });

  it('auto sizes caches from memory with the formula shown, and keeps every durability default', () => {
    const auto = backendAutoProfile({ memoryBytes: 16 * GiB, cores: 2 });
    const v = Object.fromEntries(auto.settings.map((s) => [s.name, s.value]));
    // budget = 16 GiB x 0.125 = 2 GiB: shared_buffers a quarter of it, effective_cache_size three quarters.
    expect(v.shared_buffers).toBe('512MB');
    expect(v.effective_cache_size).toBe('1536MB');
    expect(v.synchronous_commit).toBeUndefined();
    expect(auto.settings.some((s) => s.durability)).toBe(false);
    expect(auto.formula.title).toContain('budget = RAM x 0.125 = 2.0 GiB');
    // Small machines get the floors, never less than PostgreSQL's stock shared_buffers.
    expect(Object.fromEntries(backendAutoProfile({ memoryBytes: 2 * GiB, cores: 1 }).settings.map((s) => [s.name, s.value])).shared_buffers).toBe('128MB');
    const rendered = renderBackendAuto({ memoryBytes: 16 * GiB, cores: 2 });
    expect(parseProfileFile(rendered.text).map((s) => [s.name, s.value])).toEqual(auto.settings.map((s) => [s.name, s.value]));
  });

  it('refuses an unknown profile with BAD_INPUT naming the choices', () => {
    const err = (() => {
      try {
        resolveBackendProfile(config, 'turbo');
      } catch (e) {
        return e;
      }
    })();
    expect(isDevstackError(err, 'BAD_INPUT')).toBe(true);
    expect((err as Error).message).toBe('Unknown FerretDB backend PostgreSQL profile "turbo".');
    expect((err as { fix: string }).fix).toContain('default');
    expect((err as { fix: string }).fix).toContain('dev');
  });
});
