// Records the temp directories this test file creates (see environment.js, which removes them).
// Core modules are shared by the test files of a worker, so mkdtempSync is wrapped once per worker and
// writes to the list of whichever file is running (a worker runs one file at a time).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

fs.__devstackTempDirs = globalThis.__devstackTempDirs;
if (!fs.mkdtempSync.__devstackWrapped) {
  const original = fs.mkdtempSync;
  const wrapped = function mkdtempSync(prefix, options) {
    const dir = original.call(fs, prefix, options);
    if (fs.__devstackTempDirs && path.dirname(path.resolve(String(dir))) === path.resolve(os.tmpdir())) fs.__devstackTempDirs.push(String(dir));
    return dir;
  };
  wrapped.__devstackWrapped = true;
  fs.mkdtempSync = wrapped;
}
