// @ts-check
'use strict';
/**
 * The files of a new backend package, in the one shape every backend has (DESIGN.md): named
 * re-exports, one task per file, core's vocabulary (BenchOptions, baselineTask, regressTask, runCli).
 * The bench and tune refuse with UNSUPPORTED until the author writes the workload and the profiles,
 * so a fresh package never reports a figure it did not measure.
 */

/** @param {string} name @param {string} description */
function backendFiles(name, description) {
  const pascal = name.replace(/(^|-)([a-z0-9])/g, (_, _d, c) => c.toUpperCase());
  /** @type {Record<string, string>} */
  const files = {};
  files['package.json'] =
    JSON.stringify(
      {
        name: `@devstack/${name}`,
        version: '0.1.0',
        private: true,
        description,
        main: 'dist/index.js',
        bin: { [`devstack-${name}`]: 'dist/cli.js' },
        dependencies: { '@devstack/core': '0.1.0' },
        devstack: { kind: 'backend' },
      },
      null,
      2,
    ) + '\n';
  files['project.json'] = `{
  "name": "${name}",
  "$schema": "../../node_modules/nx/schemas/project-schema.json",
  "tags": ["scope:backend"]
}
`;
  files['src/index.ts'] = `export { bench, type ${pascal}BenchOptions } from './bench';
export { baseline, regress } from './regress';
export { tune, type ${pascal}TuneOptions } from './tune';
`;
  files['src/bench.ts'] = `import { DevstackError, type BenchOptions, type TaskResult } from '@devstack/core';

export interface ${pascal}BenchOptions extends BenchOptions {
  /** Requests in flight. */
  concurrency?: number;
}

/**
 * \`nx run ${name}:bench\`: measure the live ${name} service. Write the workload here with the
 * service's real client: time each operation with core's LatencyRecorder (HDR), repeat with
 * runTrials, and report latencyMetric()s on a startResult('${name}', 'bench') result.
 */
export async function bench(_options: ${pascal}BenchOptions, _signal?: AbortSignal): Promise<TaskResult> {
  throw new DevstackError('UNSUPPORTED', '${name}: the bench has no workload yet.', {
    fix: 'write the workload in packages/${name}/src/bench.ts',
  });
}
`;
  files['src/regress.ts'] = `import { baselineTask, regressTask, type RegressOptions } from '@devstack/core';
import { bench, type ${pascal}BenchOptions } from './bench';

/** The shared engine from core: the bench is the only ${name}-specific part. */
export const baseline = baselineTask<${pascal}BenchOptions>('${name}', bench);
export const regress = regressTask<${pascal}BenchOptions & RegressOptions>('${name}', bench);
`;
  files['src/tune.ts'] = `import { DevstackError, type CommonOptions, type TaskResult } from '@devstack/core';

export interface ${pascal}TuneOptions extends CommonOptions {
  /** Profile in configs/${name}/ (default, dev, auto). */
  profile?: string;
  /** Show the diff only. */
  dryRun?: boolean;
}

/**
 * \`nx run ${name}:tune --profile <p>\`: apply configs/${name}/<profile>.* to the live service with
 * core's profile catalog and applyProfile (backup, restart, read-back, rollback).
 */
export async function tune(options: ${pascal}TuneOptions, _signal?: AbortSignal): Promise<TaskResult> {
  throw new DevstackError('UNSUPPORTED', \`${name}: no tuning profile "\${options.profile ?? 'default'}" yet.\`, {
    fix: 'add configs/${name}/<profile>.* and apply it in packages/${name}/src/tune.ts',
  });
}
`;
  files['src/cli.ts'] = `#!/usr/bin/env node
import { runCli, type FlagSpec } from '@devstack/core';
import { bench } from './bench';
import { baseline, regress } from './regress';
import { tune } from './tune';

const benchFlags: FlagSpec[] = [
  { name: 'quick', type: 'boolean', description: 'short run for tests and npm start' },
  { name: 'concurrency', type: 'number', description: 'requests in flight' },
];

void runCli('${name}', {
  bench: { description: 'benchmark the live ${name} service', flags: benchFlags, live: true, run: bench },
  baseline: { description: 'run the bench and record baselines/${name}.json', flags: benchFlags, live: true, run: baseline },
  regress: {
    description: 'run the bench and compare with baselines/${name}.json',
    flags: [...benchFlags, { name: 'strict', type: 'boolean', description: 'a baseline from another machine fails' }, { name: 'thresholds', type: 'list', description: 'per-metric thresholds, name=fraction' }],
    live: true,
    run: regress,
  },
  tune: {
    description: 'apply configs/${name}/<profile> (backup, restart, read-back, rollback)',
    flags: [
      { name: 'profile', type: 'string', description: 'profile in configs/${name}/' },
      { name: 'dry-run', type: 'boolean', description: 'show the diff only' },
    ],
    live: true,
    run: tune,
  },
});
`;
  files[`test/${name}.test.ts`] = `import { isDevstackError } from '@devstack/core';
import { bench, tune } from '../src';

// Replace these with tests of the package's pure logic (parsers, profile rendering) as it grows.
describe('${name} before its workload is written', () => {
  it('bench refuses with UNSUPPORTED and says where to write it', async () => {
    const err: unknown = await bench({}).catch((e: unknown) => e);
    expect(isDevstackError(err, 'UNSUPPORTED')).toBe(true);
    expect((err as Error).message).toBe('${name}: the bench has no workload yet.');
  });

  it('tune refuses an unknown profile with UNSUPPORTED', async () => {
    const err: unknown = await tune({ profile: 'dev' }).catch((e: unknown) => e);
    expect(isDevstackError(err, 'UNSUPPORTED')).toBe(true);
    expect((err as Error).message).toBe('${name}: no tuning profile "dev" yet.');
  });
});
`;
  files[`suites/${name}.suite.ts`] = `// Live-stack verification of ${name}: real server, real client, no mocks (DESIGN.md, Tests).
describe('${name} against the live stack', () => {
  it.todo('connects with the credentials from Vault and performs a round trip');
  it.todo('refuses a wrong password with the server\\'s specific error');
});
`;
  files['jest.config.js'] = `module.exports = {
  ...require('../../jest.preset.js'),
  displayName: '${name}',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/suites/**/*.suite.ts'],
  testTimeout: 180000,
};
`;
  files['tsup.config.ts'] = `import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['cjs'],
  sourcemap: true,
  clean: true,
  target: 'node20',
});
`;
  files['README.md'] = `# @devstack/${name}

${description}

Targets (inferred by tools/nx-plugin from the \`devstack\` field of package.json; \`npx nx show project ${name}\`):

| target | what it does |
|---|---|
| \`npx nx run ${name}:bench\` | benchmark the live service (src/bench.ts) |
| \`npx nx run ${name}:tune --profile dev\` | apply configs/${name}/dev.* (src/tune.ts) |
| \`npx nx run ${name}:baseline\` | record baselines/${name}.json |
| \`npx nx run ${name}:regress\` | compare with the base ref / baseline by core's regress rule |
| \`npx nx run ${name}:unit\` / \`:test\` | test/ only / test/ and the live suites/ |

Scaffolded by \`npx nx g ./tools/nx-plugin:backend ${name}\`; see docs/ADDING_A_BACKEND.md for the remaining steps.
`;
  return files;
}

module.exports = { backendFiles };
