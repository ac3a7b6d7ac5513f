import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The architecture rule of DESIGN.md, enforced by @nx/enforce-module-boundaries in eslint.config.mjs:
 * a backend never imports another backend, core imports no project, the app and report import core.
 * ESLint runs as a child process (the Nx rule finds its workspace from the cwd) on real files.
 */
const WS = path.resolve(__dirname, '../../..');
const ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const RULE = '@nx/enforce-module-boundaries';

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/** Lint one file's text as if it lived at `relFile` in workspace `root`; boundary-rule messages only. */
function lint(root: string, relFile: string, text: string): string[] {
  const r = spawnSync(path.join(WS, 'node_modules', '.bin', 'eslint'), ['--format', 'json', '--stdin', '--stdin-filename', relFile], { cwd: root, env: ENV, input: text, encoding: 'utf8' });
  if (!r.stdout) throw new Error(`eslint produced no report (exit ${r.status}): ${r.stderr}`);
  const [report] = JSON.parse(r.stdout) as { messages: LintMessage[] }[];
  return report.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

/** Lint a real temporary file in `root` (written, linted, removed). */
function lintFile(root: string, relFile: string, text: string): string[] {
  const file = path.join(root, relFile);
  writeFileSync(file, text);
  try {
    const r = spawnSync(path.join(WS, 'node_modules', '.bin', 'eslint'), ['--format', 'json', relFile], { cwd: root, env: ENV, encoding: 'utf8' });
    if (!r.stdout) throw new Error(`eslint produced no report (exit ${r.status}): ${r.stderr}`);
    return (JSON.parse(r.stdout) as { messages: LintMessage[] }[])[0].messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
  } finally {
    rmSync(file, { force: true });
  }
}

const ONLY = (tag: string, allowed: string[]) => `A project tagged with "${tag}" can only depend on libs tagged with ${allowed.map((t) => `"${t}"`).join(', ')}`;
const BACKEND_RULE = ONLY('scope:backend', ['scope:core', 'scope:runtime']);

describe('module boundaries in this workspace', () => {
  beforeAll(() => {
    // The rule reads the cached project graph; make sure it is current.
    execFileSync(path.join(WS, 'node_modules', '.bin', 'nx'), ['show', 'projects'], { cwd: WS, env: ENV, stdio: 'ignore' });
  });

  it('the report may import core', () => {
    expect(lint(WS, 'packages/report/src/probe.ts', "export { loadConfig } from '@devstack/core';\n")).toEqual([]);
  });

  it('the stack CLI may not import the report (an app)', () => {
    expect(lint(WS, 'packages/stack/src/probe.ts', "export { tests } from '@devstack/report';\n")).toEqual(['Imports of apps are forbidden']);
  });

  // Data-driven: every backend package present must be refused when it imports another one.
  const backends = existsSync(path.join(WS, 'packages'))
    ? (JSON.parse(execFileSync(path.join(WS, 'node_modules', '.bin', 'nx'), ['show', 'projects', '--projects', 'tag:scope:backend', '--json'], { cwd: WS, env: ENV, encoding: 'utf8' })) as string[]).sort()
    : [];
  const pairs = backends.map((b, i) => [b, backends[(i + 1) % backends.length]]).filter(([a, b]) => a !== b);
  const each = pairs.length ? it.each(pairs) : it.skip.each([['(fewer than two backends in this tree)', '']]);
  each('backend %s importing backend %s is refused', (a, b) => {
    const pkg = JSON.parse(readFileSync(path.join(WS, 'packages', b, 'package.json'), 'utf8')) as { name: string };
    const messages = lint(WS, `packages/${a}/src/probe.ts`, `export * from '${pkg.name}';\n`);
    // A backend declared as an application is refused as an app import, a library by its tag.
    expect([[BACKEND_RULE], ['Imports of apps are forbidden']]).toContainEqual(messages);
  });
});

/** Library-shaped backends in a scratch workspace with this eslint.config.mjs: the tag rule itself. */
describe('module boundaries by tag, scratch workspace with this eslint.config.mjs', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'report-lint-'));
    for (const f of ['nx.json', 'eslint.config.mjs']) copyFileSync(path.join(WS, f), path.join(root, f));
    mkdirSync(path.join(root, 'tools'), { recursive: true });
    symlinkSync(path.join(WS, 'tools', 'nx-plugin'), path.join(root, 'tools', 'nx-plugin')); // nx.json names this plugin
    symlinkSync(path.join(WS, 'node_modules'), path.join(root, 'node_modules'));
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'scratch', private: true, workspaces: ['packages/*'] }));
    const paths: Record<string, string[]> = {};
    const lib = (dir: string, tag: string) => {
      mkdirSync(path.join(root, 'packages', dir, 'src'), { recursive: true });
      writeFileSync(path.join(root, 'packages', dir, 'src', 'index.ts'), `export const ${dir} = 1;\n`);
      writeFileSync(path.join(root, 'packages', dir, 'package.json'), JSON.stringify({ name: `@devstack/${dir}`, version: '0.1.0' }));
      writeFileSync(path.join(root, 'packages', dir, 'project.json'), JSON.stringify({ name: dir, projectType: 'library', sourceRoot: `packages/${dir}/src`, tags: [tag] }));
      paths[`@devstack/${dir}`] = [`packages/${dir}/src/index.ts`];
    };
    lib('core', 'scope:core');
    lib('runtime', 'scope:runtime');
    lib('alpha', 'scope:backend');
    lib('beta', 'scope:backend');
    writeFileSync(path.join(root, 'tsconfig.base.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths } }));
    execFileSync(path.join(WS, 'node_modules', '.bin', 'nx'), ['show', 'projects'], { cwd: root, env: ENV, stdio: 'ignore' });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a backend importing another backend fails with the tag rule', () => {
    expect(lintFile(root, 'packages/alpha/src/probe.ts', "export { beta } from '@devstack/beta';\n")).toEqual([BACKEND_RULE]);
  });

  it('core importing runtime fails: core depends on nothing', () => {
    expect(lintFile(root, 'packages/core/src/probe.ts', "export { runtime } from '@devstack/runtime';\n")).toEqual(['A project tagged with "scope:core" cannot depend on any libs with tags']);
  });

  it('runtime importing a backend fails: runtime depends on core only', () => {
    expect(lintFile(root, 'packages/runtime/src/probe.ts', "export { alpha } from '@devstack/alpha';\n")).toEqual([ONLY('scope:runtime', ['scope:core'])]);
  });

  it('a backend importing runtime passes', () => {
    expect(lintFile(root, 'packages/alpha/src/probe.ts', "export { runtime } from '@devstack/runtime';\n")).toEqual([]);
  });

  it('core importing a backend fails: core depends on nothing', () => {
    expect(lintFile(root, 'packages/core/src/probe.ts', "export { alpha } from '@devstack/alpha';\n")).toEqual(['A project tagged with "scope:core" cannot depend on any libs with tags']);
  });

  it('a backend importing core passes', () => {
    expect(lintFile(root, 'packages/alpha/src/probe.ts', "export { core } from '@devstack/core';\n")).toEqual([]);
  });
});
