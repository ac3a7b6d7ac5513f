#!/usr/bin/env node
// Prints "<target> <project>" for every target of every project, from one Nx project graph, so
// tools/main.sh discovers all its steps in one pass (one `nx show projects --with-target` per
// target costs seconds each on a busy machine).
'use strict';
const { createProjectGraphAsync } = require('@nx/devkit');

createProjectGraphAsync({ exitOnError: false })
  .then((graph) => {
    const lines = [];
    for (const [name, node] of Object.entries(graph.nodes)) {
      for (const target of Object.keys(node.data.targets ?? {})) lines.push(`${target} ${name}`);
    }
    process.stdout.write(`${lines.sort().join('\n')}\n`);
  })
  .catch((err) => {
    process.stderr.write(`nx-targets: ${err.message}\n`);
    process.exit(1);
  });
