// ESLint flat config for the whole workspace. `nx run <project>:lint` runs `eslint src` per package.
// The module-boundary rule is the architecture of DESIGN.md as code: backends depend on core only,
// core on nothing, runtime on core, the stack CLI on core and runtime, the report on core. A backend importing another backend fails.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '.devstack/**', '.nx/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:runtime', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:backend', onlyDependOnLibsWithTags: ['scope:core', 'scope:runtime'] },
            { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['scope:core', 'scope:runtime'] },
            { sourceTag: 'scope:report', onlyDependOnLibsWithTags: ['scope:core'] },
          ],
        },
      ],
      // Inline require('node:fs') for a one-off call is accepted in core; new code should import.
      '@typescript-eslint/no-require-imports': 'warn',
      // Unused names prefixed with _ are deliberate (destructuring to drop a field).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Tests and jest configs are CommonJS / use require for fixtures.
    files: ['**/jest.config.js', '**/test/**/*.ts', '**/suites/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
