// ESLint flat config: `npm run lint`, also run by `npm test` (so CI runs it).
// ESLint's and typescript-eslint's recommended rules on src/, test/, conformance/, bench/, scripts/,
// examples/ (TypeScript and plain JS). The type-checked set is left out: on this 2-core machine it took
// ~30 s on its own (against ~9 s for this one), and most of what it reported was node:test's
// test() / describe() promises (no-floating-promises).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['node_modules/', 'dist/', 'dist-test/', 'dist-conformance/', 'docs/api/', 'bench/out/'],
  },
  {
    linterOptions: {
      // A disable comment that no longer silences anything is an error, not a warning.
      reportUnusedDisableDirectives: 'error',
    },
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      globals: globals.node,
    },
    rules: {
      // The convention tsc's noUnusedParameters already follows: a leading _ marks a parameter that
      // is unused on purpose; `const { a, ...rest } = o` names a to leave it out of rest.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
);
