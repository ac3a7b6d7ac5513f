import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/** .github/workflows/ci.yml is for users (no GitHub runner here): its shape is checked instead. */
const WS = path.resolve(__dirname, '../../..');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
const wf = parse(readFileSync(path.join(WS, '.github', 'workflows', 'ci.yml'), 'utf8')) as {
  on: Record<string, unknown>;
  jobs: Record<string, { steps: Step[] }>;
};
const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
const index = (pred: (s: Step) => boolean, what: string) => {
  const i = steps.findIndex(pred);
  if (i < 0) throw new Error(`ci.yml has no step that ${what}`);
  return i;
};

describe('.github/workflows/ci.yml', () => {
  it('runs on pull requests and pushes to main', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
    expect(wf.on.push).toEqual({ branches: ['main'] });
  });

  it('checks out full history so the merge base exists', () => {
    const co = steps[index((s) => /^actions\/checkout@/.test(s.uses ?? ''), 'checks out')];
    expect(co.with?.['fetch-depth']).toBe(0);
  });

  it('installs, sets up, starts the stack, then runs nx affected test+regress against the merge base, in that order', () => {
    const install = index((s) => /\bnpm ci\b/.test(s.run ?? ''), 'runs npm ci');
    const setup = index((s) => /tools\/setup\.sh/.test(s.run ?? ''), 'runs tools/setup.sh');
    const up = index((s) => /packages\/stack\/dist\/cli\.js up\b|nx run stack:up/.test(s.run ?? ''), 'starts the stack');
    const base = index((s) => /git merge-base/.test(s.run ?? ''), 'computes the merge base');
    const affected = index((s) => /nx affected -t test regress --base=\$\{\{ steps\.base\.outputs\.sha \}\} --head=HEAD/.test(s.run ?? ''), 'runs nx affected -t test regress against the merge base');
    expect([install, setup, up, base, affected]).toEqual([...[install, setup, up, base, affected]].sort((a, b) => a - b));
    expect(steps[base].run).toContain('>> "$GITHUB_OUTPUT"');
  });

  it('regress runs in A/B mode against the merge base: the regress targets get it through NX_BASE', () => {
    // Nx keeps its own --base to itself; NX_BASE reaches the task's environment (abRegressTask reads it).
    const affected = steps[index((s) => /nx affected -t test regress/.test(s.run ?? ''), 'runs nx affected regress')];
    expect(affected.env?.NX_BASE).toBe('${{ steps.base.outputs.sha }}');
    expect(affected.env?.NX_HEAD).toBe('HEAD');
  });

  it('builds the report and uploads it even when tests fail', () => {
    const reports = index((s) => /-t tests perf html -p report/.test(s.run ?? ''), 'builds the reports');
    const upload = index((s) => /^actions\/upload-artifact@/.test(s.uses ?? ''), 'uploads an artifact');
    expect(steps[reports].if).toBe('always()');
    expect(steps[upload].if).toBe('always()');
    expect(String(steps[upload].with?.path)).toContain('.devstack/report/');
    expect(upload).toBeGreaterThan(reports);
  });

  it('stops the stack at the end, whatever happened', () => {
    const down = steps[steps.length - 1];
    expect(down.run).toMatch(/cli\.js down/);
    expect(down.if).toBe('always()');
  });
});
