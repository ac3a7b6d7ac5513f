import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * tools/main.sh (npm start) orchestration, in a scratch Nx workspace whose targets are shell
 * commands: discovery of every project with a bench target, regress vs baseline choice, a failing
 * backend that does not stop the others, the reports, the summary and the exit code. The live
 * run of the real job is recorded in the closing notes, not here (it needs minutes and the stack).
 */
const WS = path.resolve(__dirname, '../../..');

describe('tools/main.sh in a scratch workspace', () => {
  let root: string;
  let run: ReturnType<typeof spawnSync>;
  let out: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'report-main-'));
    copyFileSync(path.join(WS, 'nx.json'), path.join(root, 'nx.json'));
    mkdirSync(path.join(root, 'tools'), { recursive: true });
    symlinkSync(path.join(WS, 'tools', 'nx-plugin'), path.join(root, 'tools', 'nx-plugin')); // nx.json names this plugin
    copyFileSync(path.join(WS, 'tools', 'main.sh'), path.join(root, 'tools', 'main.sh'));
    copyFileSync(path.join(WS, 'tools', 'nx-targets.js'), path.join(root, 'tools', 'nx-targets.js'));
    symlinkSync(path.join(WS, 'node_modules'), path.join(root, 'node_modules'));
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
    const cmd = (command: string) => ({ executor: 'nx:run-commands', options: { command, cwd: '{projectRoot}' } });
    const project = (dir: string, targets: Record<string, unknown>) => {
      mkdirSync(path.join(root, 'packages', dir), { recursive: true });
      writeFileSync(path.join(root, 'packages', dir, 'project.json'), JSON.stringify({ name: dir, targets }));
    };
    // The stack "CLI" of the scratch workspace only records that it was asked to come up.
    mkdirSync(path.join(root, 'packages', 'stack', 'dist'), { recursive: true });
    writeFileSync(path.join(root, 'packages', 'stack', 'dist', 'cli.js'), "require('fs').writeFileSync('stack-up.txt', process.argv.slice(2).join(' '));\n");
    project('alpha', { bench: cmd("sh -c 'exit 4'"), regress: cmd('echo alpha-regress'), baseline: cmd('echo alpha-baseline') });
    project('beta', { bench: cmd('echo beta-bench'), regress: cmd('echo beta-regress'), baseline: cmd('echo beta-baseline') });
    project('gamma', { baseline: cmd('echo gamma-baseline') });
    project('delta', { security: cmd('echo delta-security'), failover: cmd("sh -c 'exit 1'") });
    project('report', { tests: cmd('echo tests'), perf: cmd('echo perf'), html: cmd('mkdir -p ../../.devstack/report && echo "<html></html>" > ../../.devstack/report/index.html') });
    mkdirSync(path.join(root, 'baselines'));
    writeFileSync(path.join(root, 'baselines', 'beta.json'), '{}');
    run = spawnSync('bash', ['tools/main.sh'], { cwd: root, env: { ...process.env, DEVSTACK_SKIP_SETUP: '1', DEVSTACK_SEGMENTED: '0' }, encoding: 'utf8', timeout: 400_000 });
    out = String(run.stdout);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const row = (project: string, step: string) => out.split('\n').find((l) => new RegExp(`^\\s+${project}\\s+${step}\\s+\\S`).test(l) && !l.includes('...'));

  it('brings the stack up before benching', () => {
    expect(readFileSync(path.join(root, 'stack-up.txt'), 'utf8')).toBe('up');
    expect(out.indexOf('== npm start: stack up')).toBeLessThan(out.indexOf('== npm start: alpha'));
  });

  it('benches every project with a bench target, and only those', () => {
    expect(out).toContain('   alpha beta\n');
    expect(row('gamma', '\\w+')).toBeUndefined();
  });

  it('a failing bench is reported and the other backends still run', () => {
    expect(row('alpha', 'bench')).toMatch(/FAILED \(exit \d+\)/);
    expect(row('beta', 'regress')).toMatch(/\bok\b/);
  });

  it('regresses when baselines/<p>.json exists (regress is then the measurement: no second bench); without one it benches, says how to record a baseline and writes nothing', () => {
    expect(row('beta', 'regress')).toMatch(/\bok\b/);
    expect(row('beta', 'bench')).toMatch(/measured by regress/);
    expect(existsSync(path.join(root, '.devstack', 'logs', 'main', 'beta-bench.log'))).toBe(false);
    expect(readFileSync(path.join(root, '.devstack', 'logs', 'main', 'beta-regress.log'), 'utf8')).toContain('beta-regress');
    expect(row('alpha', 'baseline')).toBeUndefined();
    expect(row('alpha', 'regress')).toMatch(/skipped \(no baselines\/alpha\.json\)/);
    expect(out).toContain('no baselines/alpha.json: record one on a quiet machine with npx nx run alpha:baseline');
  });

  it('runs every verification target that exists, whatever project declares it', () => {
    expect(row('delta', 'security')).toMatch(/\bok\b/);
    expect(row('delta', 'failover')).toMatch(/FAILED \(exit 1\)/);
  });

  it('names every failed step at the end', () => {
    expect(out).toContain('Failed steps: alpha:bench delta:failover\n');
  });

  it('runs the three reports and ends with the HTML path, the summary and exit 1', () => {
    for (const step of ['tests', 'perf', 'html']) expect(row('report', step)).toMatch(/\bok\b/);
    expect(out).toContain(`HTML report: ${root}/.devstack/report/index.html`);
    expect(out).toMatch(/npm start finished in \d+s, with failures\n$/);
    expect(run.status).toBe(1);
  });
});
