#!/usr/bin/env node
// Prints every project's targets as resolved by Nx (one line per project:target, sorted keys), so the
// target set before and after a change to project.json files or the plugin can be compared with diff.
// Usage: node tools/nx-plugin/dump-targets.js [graph.json]   (without an argument it runs `nx graph`)
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

function loadGraph(file) {
  if (file) return JSON.parse(readFileSync(file, 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'nx-graph-'));
  try {
    const out = join(dir, 'graph.json');
    execFileSync('npx', ['nx', 'graph', `--file=${out}`], {
      stdio: 'ignore',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    });
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
  }
  return value;
}

const graph = loadGraph(process.argv[2]);
const lines = [];
for (const [name, node] of Object.entries(graph.graph.nodes)) {
  const p = node.data;
  lines.push(`${name} projectType=${p.projectType} tags=${JSON.stringify(p.tags)}`);
  for (const [target, t] of Object.entries(p.targets ?? {})) {
    const o = t.options ?? {};
    const view = {
      executor: t.executor,
      command: o.command ?? o.commands,
      cwd: o.cwd,
      forwardAllArgs: o.forwardAllArgs,
      dependsOn: t.dependsOn,
      cache: t.cache,
      parallelism: t.parallelism,
      inputs: t.inputs,
      outputs: t.outputs,
      description: t.metadata?.description,
    };
    lines.push(`${name}:${target} ${JSON.stringify(sortKeys(view))}`);
  }
}
process.stdout.write(lines.sort().join('\n') + '\n');
