// Jest's node environment, plus: every directory a test file made with mkdtempSync directly under the
// OS temp dir is removed when the file is done (after its own afterAll hooks). Without it each npm test
// left about a thousand devstack-config-*, core-tls-*, ... directories in /tmp.
const { rmSync } = require('node:fs');
const { TestEnvironment } = require('jest-environment-node');

class DevstackEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__devstackTempDirs = [];
  }

  async teardown() {
    for (const dir of this.global.__devstackTempDirs ?? []) rmSync(dir, { recursive: true, force: true });
    await super.teardown();
  }
}

module.exports = DevstackEnvironment;
