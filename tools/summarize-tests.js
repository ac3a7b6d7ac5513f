// Prints one closing line over every package's jest JSON: "N passed, N failed, N skipped".
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[2] || '.devstack/results/jest';
let passed = 0, failed = 0, skipped = 0;
const rows = [];
for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort() : []) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + (r.numTodoTests || 0);
  rows.push(`  ${f.replace(/\.json$/, '').padEnd(10)} ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
}
console.log(rows.join('\n'));
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
