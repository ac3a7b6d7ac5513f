// @ts-check
'use strict';
/**
 * The standard targets of a devstack package, as data. Pure: (project root, `devstack` field of its
 * package.json) -> the project configuration Nx merges under its project.json.
 *
 * The `devstack` field:
 *   kind    "backend" | "core" | "app"   backends and core are libraries, apps are applications.
 *   tasks   live CLI tasks, each a target running `node dist/cli.js <task>` after build, never
 *           cached, never in parallel (they share one live stack). An entry is a name, or
 *           { "name", "command"?, "description"? } when the CLI word differs from the target name.
 *           Default for a backend: bench, tune, baseline, regress; for others: none.
 *   inputs  extra files for the `backend` named input (e.g. "{workspaceRoot}/k6/**\/*").
 * A backend's `backend` named input is always configs/<name>/** and baselines/<name>.json, so
 * `nx affected` marks exactly that backend when its configs or baseline change.
 */

const KINDS = ['backend', 'core', 'app'];
const BACKEND_TASKS = ['bench', 'tune', 'baseline', 'regress'];

/** Descriptions shown by `nx show project`, so it reads like the package's manual. */
const TASK_DESCRIPTIONS = {
  bench: 'benchmark the live service; writes .devstack/results/<name>/bench-*.json',
  tune: 'apply a tuning profile to the live service (--profile, --file, --compare), read back, roll back on failure',
  baseline: 'record baselines/<name>.json from a bench on a quiet machine',
  regress: 'same-run A/B against the base ref (or the stored baseline) by the shared regress rule; exit 1 on regression',
};

function run(command, extra = {}) {
  return { executor: 'nx:run-commands', options: { command, cwd: '{projectRoot}' }, ...extra };
}

/** @param {unknown} entry */
function normalizeTask(entry) {
  if (typeof entry === 'string') return { name: entry, command: entry, description: undefined };
  if (entry && typeof entry === 'object' && typeof (/** @type {any} */ (entry).name) === 'string') {
    const e = /** @type {{name: string, command?: string, description?: string}} */ (entry);
    return { name: e.name, command: e.command ?? e.name, description: e.description };
  }
  throw new TypeError(`devstack.tasks: each entry is a task name or {"name", "command"?, "description"?}, got ${JSON.stringify(entry)}`);
}

/**
 * @param {string} root  project root relative to the workspace, e.g. "packages/postgres"
 * @param {any} devstack the `devstack` field of its package.json
 */
function inferProject(root, devstack) {
  const name = root.split('/').pop();
  if (typeof devstack !== 'object' || devstack === null || Array.isArray(devstack)) {
    throw new TypeError('devstack must be an object, e.g. {"kind": "backend"}');
  }
  const kind = devstack.kind;
  if (!KINDS.includes(kind)) {
    throw new TypeError(`devstack.kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  const rawTasks = devstack.tasks ?? (kind === 'backend' ? BACKEND_TASKS : []);
  if (!Array.isArray(rawTasks)) throw new TypeError('devstack.tasks must be an array');
  const extraInputs = devstack.inputs ?? [];
  if (!Array.isArray(extraInputs) || extraInputs.some((i) => typeof i !== 'string')) {
    throw new TypeError('devstack.inputs must be an array of input patterns');
  }

  const backendInputs = [
    ...(kind === 'backend' ? [`{workspaceRoot}/configs/${name}/**/*`, `{workspaceRoot}/baselines/${name}.json`] : []),
    ...extraInputs,
  ];
  const liveInputs = ['default', 'backend', '^production'];

  /** @type {Record<string, any>} */
  const targets = {
    build: run('tsup', {
      dependsOn: ['^build'],
      inputs: ['production', '^production'],
      outputs: ['{projectRoot}/dist'],
      cache: true,
      metadata: { description: 'bundle src/ with tsup into dist/' },
    }),
    // Depends on build: some unit tests drive the built CLI or server (api spawns dist/server.js).
    unit: run('jest --config jest.config.js --passWithNoTests --testPathPattern=test/', {
      dependsOn: ['build'],
      inputs: ['default', 'backend', '^production'],
      cache: true,
      metadata: { description: 'unit tests (test/*.test.ts): pure logic, no servers' },
    }),
    test: run(
      // Line coverage of the package's own src/ (not of core, which tests reach through the jest
      // moduleNameMapper), as the json-summary the report reads; text-summary for the log.
      `mkdir -p ../../.devstack/results/jest && rm -rf ../../.devstack/results/coverage/${name} && jest --config jest.config.js --runInBand --json --outputFile=../../.devstack/results/jest/${name}.json ` +
        `--coverage --collectCoverageFrom='src/**/*.ts' --coverageReporters=json-summary --coverageReporters=text-summary --coverageDirectory=../../.devstack/results/coverage/${name}`,
      {
        dependsOn: ['build'],
        inputs: liveInputs,
        cache: false,
        parallelism: false,
        metadata: { description: `unit tests and live suites (suites/*.suite.ts) against the running stack; results in .devstack/results/jest/${name}.json, line coverage in .devstack/results/coverage/${name}/` },
      },
    ),
    // src, and the unit tests and live suites where the package has them.
    lint: run('eslint --no-error-on-unmatched-pattern src test suites', {
      inputs: ['default', '{workspaceRoot}/eslint.config.mjs'],
      cache: true,
      metadata: { description: 'eslint, including the module boundary rules' },
    }),
  };

  for (const entry of rawTasks) {
    const task = normalizeTask(entry);
    if (targets[task.name]) throw new TypeError(`devstack.tasks: "${task.name}" is a standard target already`);
    const description = task.description ?? TASK_DESCRIPTIONS[task.name]?.replace('<name>', name);
    targets[task.name] = run(`node dist/cli.js ${task.command}`, {
      dependsOn: ['build'],
      inputs: liveInputs,
      cache: false,
      parallelism: false,
      ...(description ? { metadata: { description } } : {}),
    });
  }

  return {
    name,
    projectType: kind === 'app' ? 'application' : 'library',
    sourceRoot: `${root}/src`,
    namedInputs: { backend: backendInputs },
    targets,
  };
}

module.exports = { inferProject, BACKEND_TASKS, KINDS };
