import { MY_CNF, parseProfileFile, parseSize, POSTGRESQL_CONF, renderProfileFile, settingMatches } from '../src/profile-file';
import { DevstackError } from '../src/errors';

describe('profile files', () => {
  it('parses settings with their reason and durability comments', () => {
    const text = ['# header', '[mysqld]', '# reason: faster', '# durability: may lose 1 s', 'a_b = 2', '', "c = 'x y' # trailing", 'd=3'].join('\n');
    expect(parseProfileFile(text)).toEqual([
      { name: 'a_b', value: '2', reason: 'faster', durability: 'may lose 1 s' },
      { name: 'c', value: 'x y', reason: '(no reason given in the profile file)' },
      { name: 'd', value: '3', reason: '(no reason given in the profile file)' },
    ]);
  });

  it('renders a file that parses back to the same settings', () => {
    const settings = [
      { name: 'shared_buffers', value: '512MB', reason: 'cache' },
      { name: 'synchronous_commit', value: 'off', reason: 'speed', durability: 'loses commits' },
    ];
    const text = renderProfileFile({ header: ['generated'], section: 'mysqld', settings });
    expect(text.startsWith('# generated\n[mysqld]\n')).toBe(true);
    expect(parseProfileFile(text)).toEqual(settings);
  });

  it('converts sizes of both servers to bytes', () => {
    expect(parseSize('512MB')).toBe(512 * 1024 ** 2);
    expect(parseSize('512M')).toBe(512 * 1024 ** 2);
    expect(parseSize('8kB')).toBe(8192);
    expect(parseSize('2GB')).toBe(2 * 1024 ** 3);
    expect(parseSize('536870912')).toBe(536870912);
    expect(parseSize('banana')).toBeUndefined();
    expect(parseSize('off')).toBeUndefined();
  });

  it('matches requested against effective values across units and spellings', () => {
    expect(settingMatches('512M', '536870912')).toBe(true);
    expect(settingMatches('2GB', '2048MB')).toBe(true);
    expect(settingMatches('512MB', '128MB')).toBe(false);
    expect(settingMatches('off', 'OFF')).toBe(true);
    expect(settingMatches('on', 'true')).toBe(true);
    expect(settingMatches('0.9', '0.9')).toBe(true);
    expect(settingMatches('2', '1')).toBe(false);
    expect(settingMatches('banana', undefined)).toBe(false);
  });
});

describe('profile file syntax (--file)', () => {
  const refusal = (text: string, syntax = MY_CNF) => {
    try {
      parseProfileFile(text, syntax);
    } catch (err) {
      return err as DevstackError;
    }
    throw new Error('accepted');
  };

  it('refuses /etc/passwd-like lines as my.cnf, naming the line and not echoing it', () => {
    const err = refusal(['# users', 'root:x:0:0:root:/root:/bin/bash'].join('\n'));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('Line 2 is not my.cnf syntax (expected `key = value`, `[section]`, a bare option name, a # comment).');
    expect(err.message).not.toContain('/bin/bash');
  });

  it('refuses a [section] in postgresql.conf, which has none', () => {
    expect(refusal('[mysqld]\nwork_mem = 4MB', POSTGRESQL_CONF).message).toMatch(/^Line 1 is not postgresql.conf syntax/);
  });

  it('refuses a bare word in postgresql.conf but accepts it in my.cnf', () => {
    expect(refusal('fsync = off\nskip-name-resolve', POSTGRESQL_CONF).message).toMatch(/^Line 2 /);
    expect(parseProfileFile('[mysqld]\nskip-name-resolve\n!include /etc/x.cnf\n; note\nmax_connections = 50', MY_CNF)).toEqual([
      { name: 'max_connections', value: '50', reason: '(no reason given in the profile file)' },
    ]);
  });

  it('accepts include directives and quoted values of postgresql.conf', () => {
    const text = "include_if_exists = '/x/y.conf'\ninclude 'z.conf'\nsearch_path = '\"$user\", public' # c\nwork_mem=8MB";
    expect(parseProfileFile(text, POSTGRESQL_CONF).map((s) => s.name)).toEqual(['include_if_exists', 'search_path', 'work_mem']);
  });
});
