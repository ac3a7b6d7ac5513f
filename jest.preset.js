// Shared jest settings: ts-jest, and @devstack/core, @devstack/runtime and its /testing subpath resolved to their sources so tests need no build.
const path = require('node:path');

module.exports = {
  // The node environment, removing the temp directories each test file made (tools/jest/environment.js).
  testEnvironment: path.join(__dirname, 'tools/jest/environment.js'),
  setupFiles: [path.join(__dirname, 'tools/jest/temp-dirs.js')],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.base.json') }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@devstack/core$': path.join(__dirname, 'packages/core/src/index.ts'),
    '^@devstack/runtime$': path.join(__dirname, 'packages/runtime/src/index.ts'),
    '^@devstack/runtime/testing$': path.join(__dirname, 'packages/runtime/src/testing/index.ts'),
  },
};
