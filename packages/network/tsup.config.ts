import { defineConfig } from 'tsup';

export default defineConfig({
  // probe.ts runs on its own inside a probe namespace (ip netns exec <ns> node dist/probe.js).
  entry: ['src/index.ts', 'src/cli.ts', 'src/probe.ts'],
  format: ['cjs'],
  sourcemap: true,
  clean: true,
  target: 'node20',
});
