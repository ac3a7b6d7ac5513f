import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/server.ts'],
  format: ['cjs'],
  sourcemap: true,
  clean: true,
  target: 'node20',
});
