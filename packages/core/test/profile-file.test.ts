import { parseProfileFile, parseSize, renderProfileFile, settingMatches } from '../src/profile-file';

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
