import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_CONFIG, loadConfig } from '../src/config';
import { DevstackError } from '../src/errors';

function workspace(config?: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'devstack-config-'));
  writeFileSync(path.join(dir, 'nx.json'), '{}');
  if (config !== undefined) writeFileSync(path.join(dir, 'devstack.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

function configError(fn: () => unknown): DevstackError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DevstackError) return err;
    throw err;
  }
  throw new Error('expected a DevstackError');
}

describe('config precedence: defaults < file < env < flags', () => {
  it('uses the built-in defaults when nothing is set', () => {
    const c = loadConfig({ root: workspace(), env: {} });
    expect(c.ports).toEqual(DEFAULT_CONFIG.ports);
    expect(c.trials).toBe(3);
    expect(c.sources).toEqual(['defaults']);
  });

  it('lets the file override defaults, env override the file, and flags override env', () => {
    const root = workspace({ trials: 5, threshold: 0.3, ports: { postgres: 25432 } });
    const fileOnly = loadConfig({ root, env: {} });
    expect(fileOnly.trials).toBe(5);
    expect(fileOnly.ports.postgres).toBe(25432);
    expect(fileOnly.ports.mysql).toBe(DEFAULT_CONFIG.ports.mysql);

    const withEnv = loadConfig({ root, env: { DEVSTACK_TRIALS: '7', DEVSTACK_POSTGRES_PORT: '35432' } });
    expect(withEnv.trials).toBe(7);
    expect(withEnv.ports.postgres).toBe(35432);
    expect(withEnv.threshold).toBe(0.3);

    const withFlags = loadConfig({ root, env: { DEVSTACK_TRIALS: '7' }, flags: { trials: 9 } });
    expect(withFlags.trials).toBe(9);
    expect(withFlags.sources).toEqual(['defaults', path.join(root, 'devstack.config.json'), 'environment', 'flags']);
  });

  it('runs FerretDB on PostgreSQL unless mongodb.backend (DEVSTACK_MONGODB_BACKEND) asks for sqlite', () => {
    expect(loadConfig({ root: workspace(), env: {} }).mongodb.backend).toBe('postgresql');
    expect(loadConfig({ root: workspace({ mongodb: { backend: 'sqlite' } }), env: {} }).mongodb.backend).toBe('sqlite');
    expect(loadConfig({ root: workspace(), env: { DEVSTACK_MONGODB_BACKEND: 'sqlite' } }).mongodb.backend).toBe('sqlite');
    const err = configError(() => loadConfig({ root: workspace(), env: { DEVSTACK_MONGODB_BACKEND: 'mysql' } }));
    expect(err.code).toBe('BAD_CONFIG');
    expect(err.message).toBe(`environment (DEVSTACK_*): invalid value at "mongodb.backend": Invalid enum value. Expected 'postgresql' | 'sqlite', received 'mysql'.`);
  });

  it('shifts every port by portOffset', () => {
    const c = loadConfig({ root: workspace(), env: { DEVSTACK_PORT_OFFSET: '100' } });
    expect(c.ports.vault).toBe(DEFAULT_CONFIG.ports.vault + 100);
    expect(c.ports.redis).toBe(DEFAULT_CONFIG.ports.redis + 100);
  });
});

describe('config validation errors name the origin, the key and the expected form', () => {
  it('rejects invalid JSON in the file with BAD_CONFIG (exit 2)', () => {
    const root = workspace('{ trials: 3');
    const err = configError(() => loadConfig({ root, env: {} }));
    expect(err.code).toBe('BAD_CONFIG');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('devstack.config.json is not valid JSON');
  });

  it.each([7, 1.5, 0, -0.1])('rejects threshold %p from a flag: a fraction in (0, 1]', (threshold) => {
    const err = configError(() => loadConfig({ root: workspace(), env: {}, flags: { threshold } }));
    expect(err.code).toBe('BAD_CONFIG');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/threshold/);
    expect(err.message).toMatch(/fraction/);
  });

  it('accepts threshold 1 and 0.05', () => {
    expect(loadConfig({ root: workspace(), env: {}, flags: { threshold: 1 } }).threshold).toBe(1);
    expect(loadConfig({ root: workspace(), env: { DEVSTACK_THRESHOLD: '0.05' } }).threshold).toBe(0.05);
  });

  it('rejects a wrong type with the key path', () => {
    const err = configError(() => loadConfig({ root: workspace({ ports: { redis: 'six' } }), env: {} }));
    expect(err.code).toBe('BAD_CONFIG');
    expect(err.message).toMatch(/devstack\.config\.json: invalid value at "ports\.redis"/);
    expect(err.fix).toContain('"ports.redis"');
  });

  it('rejects unknown keys and lists the known ones', () => {
    const err = configError(() => loadConfig({ root: workspace({ trails: 3 }), env: {} }));
    expect(err.message).toContain('unknown key(s) trails');
    expect(err.message).toContain('known keys: provider');
  });

  it('rejects a Redis base port whose cluster bus would pass 65535', () => {
    const err = configError(() => loadConfig({ root: workspace({ ports: { redis: 60000 } }), env: {} }));
    expect(err.message).toContain('ports.redis');
    expect(err.message).toContain('cluster bus');
  });

  it('refuses non-loopback hosts: load never leaves the machine', () => {
    const err = configError(() => loadConfig({ root: workspace(), env: { DEVSTACK_HOST: '10.0.0.5' } }));
    expect(err.message).toContain('environment (DEVSTACK_*): invalid value at "host"');
    expect(err.message).toContain('loopback');
  });

  it('rejects a non-numeric numeric env var, naming the variable', () => {
    const err = configError(() => loadConfig({ root: workspace(), env: { DEVSTACK_TRIALS: 'many' } }));
    expect(err.message).toBe('Environment variable DEVSTACK_TRIALS="many" is not a number.');
  });

  it('rejects a DEVSTACK_CONFIG that points nowhere', () => {
    const err = configError(() => loadConfig({ root: workspace(), env: { DEVSTACK_CONFIG: 'nope.json' } }));
    expect(err.code).toBe('BAD_CONFIG');
    expect(err.message).toContain('does not exist');
  });
});
