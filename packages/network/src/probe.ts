/**
 * The probe entry: run inside a probe namespace (`ip netns exec <ns> node dist/probe.js`, or `docker compose
 * exec -T probe-<net> ...`). Reads a ProbeRequest as JSON on stdin (credentials never go on argv),
 * prints one ProbeOutcome per target as a JSON array on stdout. Never prints secrets.
 */
import { probe } from './probe-client';
import type { ProbeRequest } from './probe-types';

let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  probe(JSON.parse(input) as ProbeRequest)
    .then((r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    })
    .catch((e) => {
      process.stderr.write(`probe failed: ${(e as Error).message}\n`);
      process.exit(3);
    });
});
