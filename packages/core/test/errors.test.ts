import { DevstackError, exitCodeFor, exitCodeOf, type ErrorCode } from '../src/errors';
import { parseFlags, runCli } from '../src/runner';

describe('exit-code mapping', () => {
  const cases: [ErrorCode, number][] = [
    ['CHECK_FAILED', 1],
    ['ROLLED_BACK', 1],
    ['BAD_INPUT', 2],
    ['BAD_CONFIG', 2],
    ['NO_BASELINE', 2],
    ['UNSUPPORTED', 2],
    ['LOCKED', 2],
    ['SERVICE_DOWN', 3],
    ['PORT_IN_USE', 3],
    ['TOOL_MISSING', 3],
    ['ENVIRONMENT', 3],
  ];
  it.each(cases)('%s exits %i', (code, exit) => {
    expect(exitCodeFor(code)).toBe(exit);
    expect(new DevstackError(code, 'x').exitCode).toBe(exit);
  });

  it('maps a foreign error to the environment exit code 3', () => {
    expect(exitCodeOf(new Error('ECONNREFUSED'))).toBe(3);
  });

  it('keeps the cause', () => {
    const cause = new Error('low level');
    expect(new DevstackError('ENVIRONMENT', 'high level', { cause }).cause).toBe(cause);
  });
});

describe('flag parsing', () => {
  const specs = [
    { name: 'profile', type: 'string' as const, description: '', choices: ['default', 'dev'] },
    { name: 'trials', type: 'number' as const, description: '', default: 3 },
    { name: 'dry-run', type: 'boolean' as const, description: '' },
    { name: 'services', type: 'list' as const, description: '' },
  ];

  it('parses values, switches, lists and defaults into camelCase options', () => {
    const { values } = parseFlags(['--profile', 'dev', '--dry-run', '--services=redis,vault'], specs, 't');
    expect(values).toEqual({ profile: 'dev', dryRun: true, services: ['redis', 'vault'], trials: 3 });
  });

  it('supports --no-<switch>', () => {
    expect(parseFlags(['--no-dry-run'], specs, 't').values.dryRun).toBe(false);
  });

  it('rejects an unknown flag with BAD_INPUT and lists known flags', () => {
    expect(() => parseFlags(['--profle', 'dev'], specs, 'postgres tune')).toThrow('Unknown flag --profle for postgres tune.');
  });

  it('rejects a bad choice naming the allowed values', () => {
    expect(() => parseFlags(['--profile', 'turbo'], specs, 't')).toThrow('Flag --profile must be one of default, dev; got "turbo".');
  });

  it('rejects a non-number for a number flag', () => {
    expect(() => parseFlags(['--trials', 'x'], specs, 't')).toThrow('Flag --trials expects a number; got "x".');
  });
});

describe('runCli', () => {
  let out: jest.SpyInstance;
  let err: jest.SpyInstance;
  beforeEach(() => {
    out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    out.mockRestore();
    err.mockRestore();
  });

  it('returns 2 for an unknown task and 3 for an environment failure, with the fix printed', async () => {
    const tasks = {
      boom: {
        description: 'fails',
        run: async () => {
          throw new DevstackError('SERVICE_DOWN', 'postgres is down', { fix: 'start it' });
        },
      },
    };
    expect(await runCli('t', tasks, { argv: ['nope'], noExit: true })).toBe(2);
    expect(await runCli('t', tasks, { argv: ['boom', '--port-offset', '5000'], noExit: true })).toBe(3);
    const printed = err.mock.calls.map((c) => String(c[0])).join('');
    expect(printed).toContain('error [SERVICE_DOWN]: postgres is down');
    expect(printed).toContain('fix: start it');
  });
});
