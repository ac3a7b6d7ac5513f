import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { helpText, parseFlags, runCli, type CliTaskSpec } from '../src/runner';
import { startResult } from '../src/task';
import { DevstackError } from '../src/errors';

const root = mkdtempSync(path.join(os.tmpdir(), 'core-runner-'));
writeFileSync(path.join(root, 'nx.json'), '{}');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  return { out, err, restore: () => (o.mockRestore(), e.mockRestore()) };
}

const tasks: Record<string, CliTaskSpec> = {
  ok: {
    description: 'passes',
    flags: [{ name: 'size', type: 'number', description: 'n', default: 2 }],
    run: async (o: { size: number; threshold?: number }) => {
      const r = startResult('demo', 'ok');
      r.checks.push({ name: `size ${o.size}`, passed: true, observed: 'observed '.repeat(12) });
      return r.finish();
    },
  },
  fails: { description: 'a failed check', run: async () => { const r = startResult('demo', 'fails'); r.checks.push({ name: 'c', passed: false }); return r.finish(); } },
  env: { description: 'environment problem', run: async () => { throw new DevstackError('SERVICE_DOWN', 'postgres is down.', { fix: 'npx nx run stack:up' }); } },
};

describe('runCli: exit codes, output, result files', () => {
  const saved = process.env.DEVSTACK_ROOT;
  beforeAll(() => (process.env.DEVSTACK_ROOT = root));
  afterAll(() => (saved === undefined ? delete process.env.DEVSTACK_ROOT : (process.env.DEVSTACK_ROOT = saved)));

  const run = async (...argv: string[]) => {
    const c = capture();
    try {
      const code = await runCli('demo', tasks, { argv, noExit: true });
      return { code, out: c.out.join(''), err: c.err.join('') };
    } finally {
      c.restore();
    }
  };

  it('0 for a passing task: table, shortened long texts, result file written', async () => {
    const r = await run('ok', '--size', '5', '--quiet');
    expect(r.code).toBe(0);
    expect(r.out).toContain('size 5');
    expect(r.out).toContain('long check texts shortened');
    expect(readdirSync(path.join(root, '.devstack', 'results', 'demo')).some((f) => f.startsWith('ok-'))).toBe(true);
    expect((await run('ok', '--quiet', '--verbose')).out).not.toContain('shortened');
  });

  it('--json prints the result with its file', async () => {
    const r = await run('ok', '--json', '--quiet');
    expect(JSON.parse(r.out)).toMatchObject({ backend: 'demo', task: 'ok', state: 'completed', resultFile: expect.stringContaining('results/demo/ok-') });
  });

  it('1 for a failed check, 3 for the environment, 2 for bad input', async () => {
    expect((await run('fails', '--quiet')).code).toBe(1);
    const env = await run('env', '--quiet');
    expect(env.code).toBe(3);
    expect(env.err).toBe('error [SERVICE_DOWN]: postgres is down.\n  fix: npx nx run stack:up\n');
    const bad = await run('ok', '--threshold', '7');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/threshold/);
    const json = await run('nope', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out).error).toMatchObject({ code: 'BAD_INPUT', exitCode: 2, message: 'Unknown task "nope" for demo.' });
  });

  it('help: 0 with a task, 2 without one', async () => {
    expect((await run('ok', '--help')).out).toContain('demo ok: passes');
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.out).toContain('Exit codes: 0 ok');
  });
});

describe('parseFlags', () => {
  const specs = [
    { name: 'dry-run', type: 'boolean' as const, description: '' },
    { name: 'list', type: 'list' as const, description: '' },
    { name: 'mode', type: 'string' as const, description: '', choices: ['a', 'b'] },
    { name: 'n', type: 'number' as const, description: '', default: 3 },
  ];
  it('reads every form and applies defaults', () => {
    expect(parseFlags(['--dry-run', '--list=x, y', '--mode', 'b', 'pos'], specs, 't')).toEqual({ values: { dryRun: true, list: ['x', 'y'], mode: 'b', n: 3 }, positionals: ['pos'] });
    expect(parseFlags(['--no-dry-run', '--n=4'], specs, 't').values).toEqual({ dryRun: false, n: 4 });
  });
  it.each([
    [['--bogus'], 'Unknown flag --bogus for t.'],
    [['--n'], 'Flag --n needs a value.'],
    [['--n', 'x'], 'Flag --n expects a number; got "x".'],
    [['--mode', 'c'], 'Flag --mode must be one of a, b; got "c".'],
    [['--dry-run=maybe'], 'Flag --dry-run is a switch; got "maybe".'],
  ])('refuses %p: %s', (argv, message) => {
    expect(() => parseFlags(argv, specs, 't')).toThrow(message);
  });
  it('help lists choices and defaults', () => {
    const text = helpText('p', { t: { description: 'd', flags: specs, run: async () => undefined as never } });
    expect(text).toContain('--mode <string>   (a|b)');
    expect(text).toContain('[default: 3]');
  });
});

describe('runCli exits only after its output is flushed', () => {
  // The runner bundled as it ships (esbuild, as tsup does), run in a child whose stdout is a pipe that
  // nobody reads for a while: a 64 KiB pipe buffer takes a third of the result, the rest must wait.
  jest.setTimeout(30000);
  it('a --json result of 200 KiB reaches a slow reader whole', async () => {
    const { buildSync } = await import('esbuild');
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'core-flush-'));
    try {
      writeFileSync(path.join(dir, 'nx.json'), '{}');
      const bundle = path.join(dir, 'runner.js');
      // Dependencies bundled too: the child runs in a temporary directory without node_modules.
      buildSync({ entryPoints: [path.join(__dirname, '../src/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'silent' });
      const script = `const c = require(${JSON.stringify(bundle)});
        const big = { description: 'big', run: async () => { const r = c.startResult('demo', 'big'); r.notes.push('x'.repeat(200 * 1024)); return r.finish(); } };
        c.runCli('demo', { big }, { argv: ['big', '--json', '--quiet'] });`;
      // The child's stdout is an OS pipe to a reader that starts after 1.5 s, as in `... --json | slow-consumer`
      // (a pipe from spawn itself would not do: Node resumes an unread one when the child exits).
      const child = spawn('bash', ['-c', 'set -o pipefail; "$NODE" -e "$SCRIPT" | (sleep 1.5; cat)'], {
        cwd: dir,
        env: { ...process.env, DEVSTACK_ROOT: dir, NODE: process.execPath, SCRIPT: script },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      expect(code).toBe(0);
      const parsed = JSON.parse(out) as { state: string; notes: string[] };
      expect(parsed.state).toBe('completed');
      expect(parsed.notes[0]).toHaveLength(200 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
