#!/usr/bin/env node
/**
 * The api process started by `stack up` (core/src/local/api-server.ts): listens on
 * endpointsOf(config).api, HTTPS when .devstack/certs/api/{cert,key}.pem exist (see options.ts); in TLS
 * dual mode HTTP and HTTPS on the same port (dual-server.ts).
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { endpointsOf, loadConfig, redact, reportError } from '@devstack/core';
import { buildApp } from './app';
import { createBackends } from './backends';
import { apiOptions, tlsFiles } from './options';

async function main(): Promise<void> {
  const config = loadConfig();
  const options = apiOptions(config);
  const warn = (m: string) => process.stderr.write(`${new Date().toISOString()} warn ${redact(m)}\n`);
  const tls = tlsFiles(options);
  const backends = createBackends(config, options, warn);
  const app = buildApp({ backends, options, https: tls ? { cert: readFileSync(tls.cert), key: readFileSync(tls.key), mode: options.tlsMode } : undefined });
  const { host, port } = endpointsOf(config).api;
  await app.listen({ host, port });
  process.stdout.write(`${new Date().toISOString()} devstack api listening on ${!tls ? 'http' : options.tlsMode === 'dual' ? 'http+https' : 'https'}://${host}:${port} (pool ${options.pool}, timeout ${options.timeoutMs} ms)\n`);
  // Warm the pools in the background so the first requests of a load run do not pay for seeding.
  for (const b of backends) b.ping().catch((err) => warn(`${b.name}: not ready at start (${(err as Error).message})`));
  const stop = () => {
    app.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  watchEventLoop(warn);
  // A driver bug must not take the api down in the middle of a load run; log and keep serving.
  process.on('unhandledRejection', (err) => warn(`unhandled rejection: ${(err as Error)?.message ?? err}`));
}

/** An event loop blocked for this long stalls every route at once; the log says when it happened. */
const EVENT_LOOP_STALL_MS = 250;

/**
 * Once a second: the longest event-loop delay of the last second, logged when above
 * EVENT_LOOP_STALL_MS. A load run's latency spike on every route at once is then told apart from one
 * backend's (which never blocks the loop: drivers are asynchronous).
 */
function watchEventLoop(warn: (m: string) => void): void {
  const h = monitorEventLoopDelay({ resolution: 20 });
  h.enable();
  setInterval(() => {
    const maxMs = h.max / 1e6;
    if (maxMs > EVENT_LOOP_STALL_MS) warn(`event loop blocked for up to ${Math.round(maxMs)} ms in the last second`);
    h.reset();
  }, 1000).unref();
}

main().catch((err) => {
  process.exitCode = reportError(err, false);
});
