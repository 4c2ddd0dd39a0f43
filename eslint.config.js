import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** Every workspace package's folder name, for the rule below against reaching one by a relative path. */
const packageFolders = ['packages', 'services'].flatMap((root) =>
  readdirSync(new URL(`./${root}/`, import.meta.url), { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? [entry.name] : [])),
);

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.tools/**', 'data/**', 'coverage/**', 'infra/kafka/.work/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bench/*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [] },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // A package is used through its public index only: `@caseflow/x`, never `@caseflow/x/src/...`;
      // the one other entry point is the API's test harness, `@caseflow/api/testing`.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^@caseflow/(?!api/testing$)[^/]+/.+', message: 'Import the package itself (its public index.ts), not a file inside it.' },
            { regex: '^(\\.\\./)+(packages|services)/', message: 'Reach another package by its name, not by a relative path.' },
            // Three levels up from any file in a package is outside it.
            { regex: '^(\\.\\./){3,}', message: 'Reach another package by its name, not by a relative path.' },
            // Two levels up from a package's test or src folder is beside it, among the other packages.
            { regex: `^(\\.\\./){2}(${packageFolders.join('|')})/`, message: 'Reach another package by its name, not by a relative path.' },
          ],
        },
      ],
    },
  },
  {
    // Tests read JSON answers from real servers; typing every probe of them would hide the assertions.
    files: ['**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);
