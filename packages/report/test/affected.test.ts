import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * `nx affected -t regress` must run a backend exactly when its code, its configs/<backend>/ or its
 * baselines/<backend>.json changed, and every backend when core changed. Proven with the real Nx
 * CLI (`nx show projects --affected --files=...`, no git remote needed), data-driven from the
 * project graph so each backend is covered as soon as its package lands.
 */
const WS = path.resolve(__dirname, '../../..');
const NX_ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'true' };

interface GraphNode {
  name: string;
  data: { root: string; tags?: string[]; namedInputs?: Record<string, unknown[]>; targets?: Record<string, { inputs?: unknown[] }> };
}

function nx(cwd: string, args: string[]): string {
  return execFileSync(path.join(WS, 'node_modules', '.bin', 'nx'), args, { cwd, env: NX_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function affected(cwd: string, ...files: string[]): string[] {
  return nx(cwd, ['show', 'projects', '--affected', `--files=${files.join(',')}`]).split('\n').map((s) => s.trim()).filter(Boolean).sort();
}

function graphOf(cwd: string): Record<string, GraphNode> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'report-graph-'));
  try {
    nx(cwd, ['graph', `--file=${path.join(dir, 'graph.json')}`]);
    return (JSON.parse(readFileSync(path.join(dir, 'graph.json'), 'utf8')) as { graph: { nodes: Record<string, GraphNode> } }).graph.nodes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolve named inputs to the flat list of patterns a target depends on. */
function flatInputs(node: GraphNode, target: string, named: Record<string, unknown[]>): string[] {
  const all = { ...named, ...(node.data.namedInputs ?? {}) };
  const out: string[] = [];
  const walk = (list: unknown[]) => {
    for (const i of list) {
      if (typeof i !== 'string') continue;
      if (i in all) walk(all[i]);
      else out.push(i);
    }
  };
  walk(node.data.targets?.[target]?.inputs ?? []);
  return out;
}

const nodes = graphOf(WS);
const projects = Object.keys(nodes).sort();
// A backend in the sense of `nx affected -t regress`: a project with a regress target.
const isBackend = (n: GraphNode) => !!n.data.targets?.regress;
const backends = projects.filter((p) => isBackend(nodes[p]));
const nxJson = JSON.parse(readFileSync(path.join(WS, 'nx.json'), 'utf8')) as { namedInputs: Record<string, unknown[]> };

describe('nx affected in this workspace', () => {
  it('has at least core, stack and report', () => {
    expect(projects).toEqual(expect.arrayContaining(['core', 'stack', 'report']));
  });

  it('a change in core marks every project', () => {
    expect(affected(WS, 'packages/core/src/x.ts')).toEqual(projects);
  });

  it('a change in configs/coverage.json or the report package marks only report', () => {
    expect(affected(WS, 'configs/coverage.json')).toEqual(['report']);
    expect(affected(WS, 'packages/report/src/x.ts')).toEqual(['report']);
  });

  const each = backends.length ? describe.each(backends) : describe.skip.each(['(no backend package in this tree yet)']);
  each('backend %s', (p) => {
    it.each(['regress', 'test'])('its %s target declares its package, configs, baseline and ^production as inputs', (target) => {
      const inputs = flatInputs(nodes[p], target, nxJson.namedInputs);
      expect(inputs).toEqual(expect.arrayContaining(['{projectRoot}/**/*', `{workspaceRoot}/configs/${p}/**/*`, `{workspaceRoot}/baselines/${p}.json`, '^production']));
    });

    it('configs/<backend>/ and baselines/<backend>.json mark only that backend', () => {
      expect(affected(WS, `configs/${p}/any.conf`)).toEqual([p]);
      expect(affected(WS, `baselines/${p}.json`)).toEqual([p]);
    });

    it('its own sources mark it and no other backend', () => {
      const hit = affected(WS, `packages/${nodes[p].data.root.split('/').pop()}/src/x.ts`);
      expect(hit).toContain(p);
      expect(hit.filter((x) => backends.includes(x) && x !== p)).toEqual([]);
    });
  });
});

/**
 * The same rule in a scratch workspace with this repo's nx.json and two fake backends, one per
 * accepted style (explicit target inputs in project.json, or a `devstack` field in package.json
 * from which tools/nx-plugin infers the targets and the "backend" named input).
 */
describe('nx affected rule in a scratch workspace with this nx.json', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'report-affected-'));
    copyFileSync(path.join(WS, 'nx.json'), path.join(root, 'nx.json'));
    mkdirSync(path.join(root, 'tools'), { recursive: true });
    symlinkSync(path.join(WS, 'tools', 'nx-plugin'), path.join(root, 'tools', 'nx-plugin')); // nx.json names this plugin
    symlinkSync(path.join(WS, 'node_modules'), path.join(root, 'node_modules'));
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'scratch', private: true, workspaces: ['packages/*'] }));
    const pkg = (dir: string, name: string, project: object, deps: Record<string, string> = {}, devstack?: object) => {
      mkdirSync(path.join(root, 'packages', dir, 'src'), { recursive: true });
      writeFileSync(path.join(root, 'packages', dir, 'src', 'index.ts'), 'export {};\n');
      writeFileSync(path.join(root, 'packages', dir, 'package.json'), JSON.stringify({ name, version: '0.1.0', dependencies: deps, devstack }));
      writeFileSync(path.join(root, 'packages', dir, 'project.json'), JSON.stringify({ name: dir, ...project }));
    };
    const live = { executor: 'nx:run-commands', options: { command: 'true' } };
    pkg('core', '@devstack/core', { tags: ['scope:core'], targets: { build: live } });
    pkg('alpha', '@devstack/alpha', {
      tags: ['scope:backend'],
      targets: { regress: { ...live, inputs: ['{projectRoot}/**/*', '{workspaceRoot}/configs/alpha/**/*', '{workspaceRoot}/baselines/alpha.json', '^production'] }, test: { ...live, inputs: ['{projectRoot}/**/*', '{workspaceRoot}/configs/alpha/**/*', '{workspaceRoot}/baselines/alpha.json', '^production'] } },
    }, { '@devstack/core': '0.1.0' });
    // beta declares nothing but its tags: tools/nx-plugin infers its targets and inputs from package.json.
    pkg('beta', '@devstack/beta', { tags: ['scope:backend'] }, { '@devstack/core': '0.1.0' }, { kind: 'backend' });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('configs/<b>/ and baselines/<b>.json mark only <b>, in both styles', () => {
    expect(affected(root, 'configs/alpha/default.conf')).toEqual(['alpha']);
    expect(affected(root, 'baselines/alpha.json')).toEqual(['alpha']);
    expect(affected(root, 'configs/beta/default.conf')).toEqual(['beta']);
    expect(affected(root, 'baselines/beta.json')).toEqual(['beta']);
  });

  it('the input check used for real backends accepts both styles and rejects a target without them', () => {
    const g = graphOf(root);
    for (const b of ['alpha', 'beta']) {
      for (const t of ['regress', 'test']) {
        expect(flatInputs(g[b], t, nxJson.namedInputs)).toEqual(expect.arrayContaining(['{projectRoot}/**/*', `{workspaceRoot}/configs/${b}/**/*`, `{workspaceRoot}/baselines/${b}.json`, '^production']));
      }
    }
    expect(flatInputs(g.core, 'build', nxJson.namedInputs)).not.toContain('{workspaceRoot}/configs/core/**/*');
  });

  it('core marks every backend; a backend marks only itself; an unrelated file marks nothing', () => {
    expect(affected(root, 'packages/core/src/index.ts')).toEqual(['alpha', 'beta', 'core']);
    expect(affected(root, 'packages/alpha/src/index.ts')).toEqual(['alpha']);
    expect(affected(root, 'configs/gamma/x.conf')).toEqual([]);
  });
});
