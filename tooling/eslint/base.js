import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Shared rules for every package: type-aware, strict about `any` and unsafe casts. */
export default tseslint.config(
  // `.js` files are the eslint configs themselves; `.mjs` files (bootstraps, scripts) are linted below.
  { ignores: ['**/dist/**', '**/generated/**', '**/.data/**', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // A switch over a union (a job kind, a status) must name every member, so a kind added later
      // fails lint where it is not handled instead of silently falling through.
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    // Plain JavaScript run by Node directly (worker-thread and supervisor bootstraps, scripts): no
    // tsconfig covers them, so they get the syntax rules without the type-aware ones.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: globals.node,
    },
  },
);
