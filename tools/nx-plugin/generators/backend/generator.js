// @ts-check
'use strict';
/**
 * `npx nx g ./tools/nx-plugin:backend <name>`: packages/<name>/ in the backend shape, plus one entry
 * in core's service registry. Nothing else in the workspace is touched: the standard targets come
 * from the devstack field (tools/nx-plugin/targets.js), not from copied project.json blocks.
 */
const { logger } = require('nx/src/devkit-exports');
const { backendFiles } = require('./files');

const REGISTRY_FILE = 'packages/core/src/registry.ts';
const REGISTRY_MARKER = '// @devstack-generator: new entries above';

/**
 * @param {import('nx/src/devkit-exports').Tree} tree
 * @param {{ name: string, description?: string }} options
 */
async function backendGenerator(tree, options) {
  const name = String(options.name ?? '');
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new TypeError(`Backend name "${name}" is not kebab-case (letters, digits, dashes, starting with a letter).`);
  }
  const root = `packages/${name}`;
  if (tree.exists(root)) throw new Error(`${root} exists already; pick another name or remove it first.`);

  const description = options.description ?? `${name}: bench, tune, baseline and regress against the live stack.`;
  for (const [file, content] of Object.entries(backendFiles(name, description))) {
    tree.write(`${root}/${file}`, content);
  }
  addRegistryEntry(tree, name);

  return () => {
    logger.info(`Next: npm install (links @devstack/${name}), then npx nx show project ${name}; docs/ADDING_A_BACKEND.md lists the rest.`);
  };
}

/**
 * The registry step, kept apart so it follows core's registry as that evolves: insert the new
 * entry before the marker line in packages/core/src/registry.ts. Without the marker it refuses
 * rather than guess where an entry goes; without the file it only says so (no registry yet).
 * @param {import('nx/src/devkit-exports').Tree} tree
 * @param {string} name
 */
function addRegistryEntry(tree, name) {
  const text = tree.read(REGISTRY_FILE, 'utf-8');
  if (text === null) {
    logger.warn(`${REGISTRY_FILE} does not exist yet: add the ${name} entry to the service registry by hand.`);
    return;
  }
  const at = text.indexOf(REGISTRY_MARKER);
  if (at < 0) {
    throw new Error(`${REGISTRY_FILE} has no "${REGISTRY_MARKER}" line; add it inside SERVICE_REGISTRY where new entries go.`);
  }
  if (new RegExp(`^\\s*(name:\\s*)?['"]?${name}['"]?(:\\s*\\{|,)`, 'm').test(text)) {
    throw new Error(`${REGISTRY_FILE} already has an entry named "${name}".`);
  }
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const indent = text.slice(lineStart, at);
  tree.write(REGISTRY_FILE, text.slice(0, lineStart) + registryEntry(name, indent, isKeyedRegistry(text), nextFreePort(text)) + text.slice(lineStart));
}

/** A default port 100 above the highest one in the registry (a user edits it if it clashes). */
function nextFreePort(text) {
  const ports = [...text.matchAll(/^\s*port:\s*(\d+),/gm)].map((m) => Number(m[1]));
  return (ports.length ? Math.max(...ports) : 18000) + 100;
}

/** SERVICE_REGISTRY declared as an object keyed by name (`= {`) rather than an array (`= [`). */
function isKeyedRegistry(text) {
  const m = /SERVICE_REGISTRY\b[^=]*=\s*([[{])/.exec(text);
  return m !== null && m[1] === '{';
}

/** The entry text: the fields every service must fill are spelled out, to be completed by hand. */
function registryEntry(name, indent, keyed, port) {
  const open = keyed ? `${/^[a-z][a-z0-9]*$/.test(name) ? name : `'${name}'`}: {` : '{';
  return [
    `${indent}${open}`,
    `${indent}  // Scaffolded by nx g ./tools/nx-plugin:backend. 'external': the stack does not start this server;`,
    `${indent}  // set credentials, tlsPortShift, compose names and role 'server' once it has a local service.`,
    `${indent}  title: '${name}',`,
    `${indent}  role: 'external',`,
    `${indent}  port: ${port},`,
    `${indent}  portCount: 1,`,
    `${indent}  tlsPortShift: null,`,
    `${indent}  compose: [],`,
    `${indent}  tier: 'data',`,
    `${indent}  coverage: ['connectivity', 'performance', 'regression'],`,
    `${indent}  owner: '@devstack-org/platform',`,
    `${indent}},`,
    '',
  ].join('\n');
}

module.exports = backendGenerator;
module.exports.default = backendGenerator;
module.exports.addRegistryEntry = addRegistryEntry;
module.exports.REGISTRY_FILE = REGISTRY_FILE;
module.exports.REGISTRY_MARKER = REGISTRY_MARKER;
