#!/usr/bin/env node
// One api route at a fixed open-loop rate: latency (p50/p95/p99, from each request's due time) and the
// CPU each request costs every stack process group (runtime's CpuMeter over the timed run).
// A measuring aid for side-by-side runs (e.g. two server builds swapped between runs), not a target:
//   node tools/measure/route-cpu.js /db/mongodb 1100 15     (path, req/s, seconds; after 5 s at 600 req/s)
// Needs the packages built (npm run setup) and the stack up.
'use strict';
const path = require('node:path');
const root = path.resolve(__dirname, '../..');
process.chdir(root);
const { endpointsOf, loadConfig } = require(path.join(root, 'packages/core/dist/index.js'));
const { runOpenLoop, openLoopAgent } = require(path.join(root, 'packages/load/dist/index.js'));
const { CpuMeter, stackPids } = require(path.join(root, 'packages/runtime/dist/index.js'));

async function main() {
  const [route, rateArg, secondsArg] = process.argv.slice(2);
  const rate = Number(rateArg ?? 1000);
  const seconds = Number(secondsArg ?? 10);
  if (!route?.startsWith('/') || !(rate > 0) || !(seconds > 0)) {
    console.error('usage: node tools/measure/route-cpu.js <api path, e.g. /db/mongodb> [req/s, default 1000] [seconds, default 10]');
    process.exit(2);
  }
  const config = loadConfig();
  const baseUrl = endpointsOf(config).api.url;
  const agent = openLoopAgent(256);
  await runOpenLoop({ baseUrl, paths: [route], rate: Math.min(rate, 600), seconds: 5, timeoutMs: 5000, agent });
  const meter = await CpuMeter.start(Object.fromEntries(stackPids(config.stateRoot)));
  const r = await runOpenLoop({ baseUrl, paths: [route], rate, seconds, timeoutMs: 5000, agent });
  const { cpuSeconds } = await meter.stop();
  agent.destroy();
  const perRequest = Object.entries(cpuSeconds)
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, s]) => `${name} ${Math.round((s * 1e6) / Math.max(1, r.ops))}`);
  console.log(`${route} at ${rate} req/s for ${seconds} s: achieved ${r.achievedRate}, p50 ${r.latency.p50} ms, p95 ${r.latency.p95} ms, p99 ${r.latency.p99} ms, failed ${r.failed}; CPU µs per request: ${perRequest.join(', ')}`);
}

main().catch((err) => {
  console.error(err?.message ?? err);
  process.exit(1);
});
