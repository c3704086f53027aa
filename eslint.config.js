// The linter: typescript-eslint's recommended rules over every TypeScript file. Formatting is
// prettier's job (npm run format), so no stylistic rules here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'results/', 'test-output/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      // `_name` marks a parameter kept for its position in a callback's signature.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Renderers only render: from bench/ they may import types (the result schema, the gate's
    // Comparison), never code, so a saved result can be re-rendered without the harness.
    files: ['reports/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/bench/**'],
              allowTypeImports: true,
              message: 'reports/ may import only types from bench/',
            },
          ],
        },
      ],
    },
  },
);
