import { DevstackError } from '@devstack/core';
import { FERRETDB_GOGC_DEFAULT, ferretEnv, ferretGogc } from '../src/local/mongo-server';

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
    const env = ferretEnv({ PATH: '/usr/bin', GOGC: '100', DEVSTACK_FERRETDB_GOGC: '600' }, { FERRETDB_SETUP_PASSWORD: 'p' });
    expect(env).toEqual({ PATH: '/usr/bin', GOGC: '600', DEVSTACK_FERRETDB_GOGC: '600', FERRETDB_SETUP_PASSWORD: 'p' });
    expect(ferretEnv({ GOGC: '100' }, {}).GOGC).toBe('400');
  });
});
