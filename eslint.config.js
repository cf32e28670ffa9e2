// The linter, run by `npm test` (scripts/test.sh) before any test: typescript-eslint's
// type-aware recommended rules over every TypeScript file of ours, and Prettier's
// formatting kept apart (eslint-config-prettier turns off the rules it owns; `prettier
// --check` in npm test and `npm run lint` checks it, `npm run format` applies it). Each rule
// turned off or down below says why.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/sandbox/build/**', 'rootfs/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.ts'] })),
  // before ours: it turns off what Prettier owns, max-len too, which we turn back on below
  prettier,
  {
    files: ['**/*.ts'],
    languageOptions: {
      // one project over every file (tsconfig.check.json): the packages' own leave out their tests
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `_` marks what is taken apart on purpose (a destructured field left out)
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `void promise` is how a fire-and-forget call says so; node:test's describe and it
      // return promises the runner itself awaits
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          ignoreVoid: true,
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after'] },
          ],
        },
      ],
      // Express 5 takes async handlers (a rejection becomes next(err)); node:test takes async tests
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      // an async function that awaits nothing still keeps an async contract: a throw in it is
      // its promise's rejection (the cgroup driver's sync file calls, test fakes of a store)
      '@typescript-eslint/require-await': 'off',
      // an error's message may carry a number or a name: template literals of them are fine
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true },
      ],
      // Prettier wraps the code at 120; comments are ours to wrap. A string is left whole
      // (a message or a test program reads better unbroken)
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
  {
    // the browser's code: its own project, with the DOM
    files: ['apps/web/src/**/*.ts'],
    languageOptions: {
      parserOptions: { project: './apps/web/tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // plain JavaScript: scripts and configs, outside the TypeScript projects
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // the code contexts' Node.js driver: a CommonJS script run with `node -e` in a box
    files: ['packages/runtimes/drivers/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
);
