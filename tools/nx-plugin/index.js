// @ts-check
'use strict';
/**
 * The local Nx plugin of this workspace: every packages/<name>/package.json with a `devstack` field
 * becomes a project with the standard targets, so project.json keeps only tags and what differs.
 * Plain CommonJS on purpose: Nx loads it from nx.json `plugins` without a build step or a TS
 * transpiler (none is installed). The schema of the field is documented in targets.js.
 */
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { inferProject } = require('./targets');

const PACKAGE_GLOB = 'packages/*/package.json';

/** @type {import('nx/src/project-graph/plugins').CreateNodesV2} */
const createNodesV2 = [
  PACKAGE_GLOB,
  async (files, _options, context) => {
    const results = [];
    for (const file of files) {
      const pkg = JSON.parse(readFileSync(join(context.workspaceRoot, file), 'utf8'));
      if (!pkg.devstack) continue;
      const root = dirname(file);
      try {
        results.push([file, { projects: { [root]: inferProject(root, pkg.devstack) } }]);
      } catch (err) {
        // Say which file and key are wrong instead of a bare stack trace from the graph build.
        throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
    return results;
  },
];

module.exports = { createNodesV2, createNodes: createNodesV2 };
