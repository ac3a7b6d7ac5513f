import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * `nx g ./tools/nx-plugin:backend <name>` in a copy of this workspace (node_modules symlinked; no
 * .git, .nx, .devstack or dist): the new project gets the standard inferred targets, and git sees
 * only packages/<name>/ and core's service registry change.
 */
const WS = path.resolve(__dirname, '../../..');
const ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'true' };
const SKIP = new Set(['node_modules', '.git', '.nx', '.devstack', 'dist']);
const REGISTRY = 'packages/core/src/registry.ts';
const MARKER = '// @devstack-generator: new entries above';
const NAME = 'throwaway';

interface ShownProject {
  projectType: string;
  tags: string[];
  namedInputs: Record<string, string[]>;
  targets: Record<string, { dependsOn?: string[]; cache?: boolean; parallelism?: boolean; inputs?: string[]; options: { command: string } }>;
}

const run = (cwd: string, file: string, args: string[]) => execFileSync(file, args, { cwd, env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const git = (cwd: string, ...args: string[]) => run(cwd, 'git', ['-c', 'user.email=test@devstack.invalid', '-c', 'user.name=test', ...args]);
const nx = (cwd: string, ...args: string[]) => run(cwd, path.join(WS, 'node_modules', '.bin', 'nx'), args);

describe('the backend generator in a copy of the workspace', () => {
  let root: string;
  let changed: string[];
  let shown: ShownProject;
  let registryBefore: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'report-generator-'));
    cpSync(WS, root, { recursive: true, filter: (src) => !SKIP.has(path.basename(src)) });
    symlinkSync(path.join(WS, 'node_modules'), path.join(root, 'node_modules'));
    registryBefore = readFileSync(path.join(root, REGISTRY), 'utf8');
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'base');
    nx(root, 'g', './tools/nx-plugin:backend', NAME, '--no-interactive');
    git(root, 'add', '-A');
    changed = git(root, 'diff', '--cached', '--name-only').split('\n').filter(Boolean);
    shown = JSON.parse(nx(root, 'show', 'project', NAME, '--json')) as ShownProject;
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('touches only the new package folder and the service registry', () => {
    expect(changed.filter((f) => !f.startsWith(`packages/${NAME}/`))).toEqual([REGISTRY]);
    expect(changed).toEqual(expect.arrayContaining([
      `packages/${NAME}/package.json`, `packages/${NAME}/project.json`, `packages/${NAME}/src/index.ts`, `packages/${NAME}/src/cli.ts`,
      `packages/${NAME}/src/bench.ts`, `packages/${NAME}/src/tune.ts`, `packages/${NAME}/src/regress.ts`, `packages/${NAME}/test/${NAME}.test.ts`,
      `packages/${NAME}/suites/${NAME}.suite.ts`, `packages/${NAME}/jest.config.js`, `packages/${NAME}/tsup.config.ts`, `packages/${NAME}/README.md`,
    ]));
  });

  it('adds exactly one registry entry, before the marker', () => {
    const after = readFileSync(path.join(root, REGISTRY), 'utf8');
    const entryAt = after.indexOf(`  ${NAME}: {`);
    expect(entryAt).toBeGreaterThan(-1);
    expect(entryAt).toBeLessThan(after.indexOf(MARKER));
    expect(after.split(`  ${NAME}: {`)).toHaveLength(2);
    expect(after.replace(/ *throwaway: \{\n(?: *.*\n)*? *\},\n(?= *\/\/ @devstack-generator)/, '')).toBe(registryBefore);
  });

  it('the workspace still type-checks with the new entry and package (the entry is a valid ServiceEntry)', () => {
    expect(() => run(root, path.join(WS, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', 'tsconfig.json'])).not.toThrow();
  });

  it('the new package passes its own lint target (src, test and suites, module boundaries included)', () => {
    const lint = shown.targets.lint.options.command;
    expect(lint).toBe('eslint --no-error-on-unmatched-pattern src test suites');
    const [, ...args] = lint.split(' ');
    expect(() => run(path.join(root, 'packages', NAME), path.join(WS, 'node_modules', '.bin', 'eslint'), args)).not.toThrow();
  });

  it('nx show project lists the standard targets, inferred from the devstack field', () => {
    expect(Object.keys(shown.targets).sort()).toEqual(['baseline', 'bench', 'build', 'lint', 'regress', 'test', 'tune', 'unit']);
    expect(shown.tags).toContain('scope:backend');
    expect(shown.projectType).toBe('library');
    expect(shown.targets.build.options.command).toBe('tsup');
    expect(shown.targets.test.options.command).toContain(`--outputFile=../../.devstack/results/jest/${NAME}.json`);
  });

  it('live targets run the CLI after build, uncached, one at a time, with the backend inputs', () => {
    for (const t of ['bench', 'tune', 'baseline', 'regress']) {
      expect(shown.targets[t]).toMatchObject({ dependsOn: ['build'], cache: false, parallelism: false, options: { command: `node dist/cli.js ${t}` } });
      expect(shown.targets[t].inputs).toEqual(['default', 'backend', '^production']);
    }
    expect(shown.namedInputs.backend).toEqual([`{workspaceRoot}/configs/${NAME}/**/*`, `{workspaceRoot}/baselines/${NAME}.json`]);
  });

  it('refuses a name that exists already, and changes nothing', () => {
    const before = git(root, 'status', '--porcelain');
    expect(() => nx(root, 'g', './tools/nx-plugin:backend', NAME, '--no-interactive')).toThrow(/packages\/throwaway exists already/);
    expect(git(root, 'status', '--porcelain')).toBe(before);
  });
});
