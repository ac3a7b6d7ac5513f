import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DevstackError } from '@devstack/core';
import { FERRETDB_GOGC_DEFAULT, ferretdbPatches, ferretEnv, ferretGogc, ferretGomaxprocs } from '../src/local/mongo-server';

describe('FerretDB GOGC (DEVSTACK_FERRETDB_GOGC)', () => {
  it('defaults to 400 when unset or empty, not Go\'s 100', () => {
    expect(FERRETDB_GOGC_DEFAULT).toBe(400);
    expect(ferretGogc({})).toBe(FERRETDB_GOGC_DEFAULT);
    expect(ferretGogc({ DEVSTACK_FERRETDB_GOGC: '' })).toBe(FERRETDB_GOGC_DEFAULT);
  });

  it('takes an integer from 50 to 2000, bounds included', () => {
    expect(ferretGogc({ DEVSTACK_FERRETDB_GOGC: '50' })).toBe(50);
    expect(ferretGogc({ DEVSTACK_FERRETDB_GOGC: ' 800 ' })).toBe(800);
    expect(ferretGogc({ DEVSTACK_FERRETDB_GOGC: '2000' })).toBe(2000);
  });

  it.each(['off', '49', '2001', '400.5', '-100', '1e3', 'abc'])('refuses %j as BAD_INPUT naming the variable and the fix', (value) => {
    let err: unknown;
    try {
      ferretGogc({ DEVSTACK_FERRETDB_GOGC: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DevstackError);
    const e = err as DevstackError;
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toBe(`DEVSTACK_FERRETDB_GOGC must be an integer from 50 to 2000 (Go's GOGC for FerretDB; "off" is not allowed), got "${value.trim()}".`);
    expect(e.fix).toBe('Unset DEVSTACK_FERRETDB_GOGC for the default 400, or set an integer such as DEVSTACK_FERRETDB_GOGC=400.');
  });

  it('sets GOGC over an inherited one, keeps the rest of the environment, and the secrets given last', () => {
    const env = ferretEnv({ PATH: '/usr/bin', GOGC: '100', DEVSTACK_FERRETDB_GOGC: '600' }, { FERRETDB_SETUP_PASSWORD: 'p' }, 'sqlite');
    expect(env).toEqual({ PATH: '/usr/bin', GOGC: '600', DEVSTACK_FERRETDB_GOGC: '600', FERRETDB_SETUP_PASSWORD: 'p' });
    expect(ferretEnv({ GOGC: '100' }, {}).GOGC).toBe('400');
  });
});

describe('FerretDB GOMAXPROCS (DEVSTACK_FERRETDB_GOMAXPROCS)', () => {
  it('defaults to half the cores, at least 1, on the postgresql backend, and leaves Go\'s default on sqlite', () => {
    expect(ferretGomaxprocs({}, 'postgresql', 2)).toBe(1);
    expect(ferretGomaxprocs({}, 'postgresql', 1)).toBe(1);
    expect(ferretGomaxprocs({}, 'postgresql', 8)).toBe(4);
    expect(ferretGomaxprocs({}, 'postgresql', 9)).toBe(4);
    expect(ferretGomaxprocs({ DEVSTACK_FERRETDB_GOMAXPROCS: '' }, 'postgresql', 8)).toBe(4);
    expect(ferretGomaxprocs({}, 'sqlite', 8)).toBeUndefined();
  });

  it('takes an integer from 1 to 1024 on either backend', () => {
    expect(ferretGomaxprocs({ DEVSTACK_FERRETDB_GOMAXPROCS: '1' }, 'sqlite', 8)).toBe(1);
    expect(ferretGomaxprocs({ DEVSTACK_FERRETDB_GOMAXPROCS: ' 3 ' }, 'postgresql', 2)).toBe(3);
    expect(ferretGomaxprocs({ DEVSTACK_FERRETDB_GOMAXPROCS: '1024' }, 'postgresql', 2)).toBe(1024);
  });

  it.each(['0', '1025', '1.5', '-1', 'max', '2e1'])('refuses %j as BAD_INPUT naming the variable and the fix', (value) => {
    let err: unknown;
    try {
      ferretGomaxprocs({ DEVSTACK_FERRETDB_GOMAXPROCS: value }, 'postgresql', 2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DevstackError);
    const e = err as DevstackError;
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toBe(`DEVSTACK_FERRETDB_GOMAXPROCS must be an integer from 1 to 1024 (Go's GOMAXPROCS for FerretDB), got "${value}".`);
    expect(e.fix).toMatch(/^Unset DEVSTACK_FERRETDB_GOMAXPROCS for the default/);
  });

  it('sets GOMAXPROCS over an inherited one on postgresql, and keeps an inherited one on sqlite', () => {
    expect(ferretEnv({ GOMAXPROCS: '8' }, {}, 'postgresql', 2).GOMAXPROCS).toBe('1');
    expect(ferretEnv({ GOMAXPROCS: '8' }, {}, 'sqlite', 2).GOMAXPROCS).toBe('8');
    expect(ferretEnv({}, {}, 'sqlite', 2)).not.toHaveProperty('GOMAXPROCS');
    expect(ferretEnv({ DEVSTACK_FERRETDB_GOMAXPROCS: '2' }, {}, 'sqlite', 2).GOMAXPROCS).toBe('2');
  });
});

describe('ferretdbPatches (the stamp tools/setup.sh writes next to the FerretDB it builds)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ferret-stamp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the patch names after the version and checksum', () => {
    const bin = path.join(dir, 'ferretdb');
    writeFileSync(`${bin}.devstack-stamp`, 'v1.24.2 deb4e7a2329c3c3b ferretdb-id-equality-pushdown.patch ferretdb-no-resource-tracking.patch\n');
    expect(ferretdbPatches(bin)).toEqual(['ferretdb-id-equality-pushdown.patch', 'ferretdb-no-resource-tracking.patch']);
  });

  it('is empty for a build without patches, and undefined for a FerretDB that setup did not build (no stamp)', () => {
    const ours = path.join(dir, 'plain');
    writeFileSync(`${ours}.devstack-stamp`, 'v1.24.2 e3b0c44298fc1c14\n');
    expect(ferretdbPatches(ours)).toEqual([]);
    expect(ferretdbPatches(path.join(dir, 'elsewhere'))).toBeUndefined();
  });
});
