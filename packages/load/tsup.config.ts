import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['cjs'],
  sourcemap: true,
  clean: true,
  target: 'node20',
});
