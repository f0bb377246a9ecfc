import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const storageModules = ['better-sqlite3', 'drizzle-orm', 'drizzle-orm/*', 'pg', 'pg-connection-string'];
const graphqlModules = ['graphql', 'graphql-yoga', 'graphql-scalars', 'graphql-ws', 'graphql-ws/*', '@graphql-yoga/*', '@escape.tech/*'];

/** The wiring at the top of src/, which no folder imports. */
const wiring = ['../app.js', '../server.js', '../main.js', '../startup-report.js'];

/** A folder of src/ that a layer must not import. */
const folder = (name) => [`../${name}/*`, `../../${name}/*`];

/**
 * The dependency direction (docs/architecture.md): main -> server -> app ->
 * yoga | rest | live -> graphql -> http -> ledger -> storage | mining -> core.
 * src/shared and src/core import nothing of ours; the rules below say, per
 * folder, what it may not reach.
 */
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'coverage/',
      'node_modules/',
      'src/graphql/generated/',
      'client/generated/',
      'test/generated/',
      'explorer/dist/',
      'data/',
      'wasm/',
      'native/build/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'scripts/*.mjs', 'bench/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/shared/**/*.ts'],
    rules: restrict(
      [...storageModules, ...graphqlModules, '../*', '!./*'],
      'src/core and src/shared import nothing of ours outside their own folder: no database, no GraphQL.',
    ),
  },
  {
    files: ['src/storage/**/*.ts', 'src/mining/**/*.ts', 'src/chain-file/**/*.ts'],
    rules: restrict(
      [
        ...graphqlModules,
        ...['ledger', 'cli', 'http', 'rest', 'graphql', 'yoga', 'live', 'storage', 'mining', 'chain-file'].flatMap(folder),
        '../config.js',
      ],
      'storage, mining and chain-file build on src/core and src/shared only (and storage on SQL): nothing above them, nor each other.',
    ),
  },
  {
    files: ['src/ledger/**/*.ts'],
    rules: restrict(
      [
        ...graphqlModules,
        ...storageModules,
        ...['cli', 'http', 'rest', 'graphql', 'yoga', 'live', 'chain-file'].flatMap(folder),
        ...wiring,
      ],
      'src/ledger works on the core, storage and mining: no GraphQL, no SQL driver, no transport.',
    ),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: restrict(
      [...graphqlModules, ...['http', 'rest', 'graphql', 'yoga', 'live'].flatMap(folder), ...wiring],
      'The operator tool works on the ledger, storage and chain files, below every transport.',
    ),
  },
  {
    files: ['src/http/**/*.ts'],
    rules: restrict(
      [...graphqlModules, ...storageModules, ...['storage', 'cli', 'rest', 'graphql', 'yoga', 'live'].flatMap(folder), ...wiring],
      'src/http serves both transports: it throws RequestErrors, and knows neither GraphQL nor REST.',
    ),
  },
  {
    files: ['src/rest/**/*.ts'],
    rules: restrict(
      [...graphqlModules, ...storageModules, ...['storage', 'cli', 'graphql', 'yoga', 'live'].flatMap(folder), ...wiring],
      'The REST routes reach storage only through the ledger, and know nothing of GraphQL.',
    ),
  },
  {
    files: ['src/live/**/*.ts'],
    rules: restrict(
      [...storageModules, ...['storage', 'cli', 'rest', 'graphql', 'yoga'].flatMap(folder), ...wiring],
      'Live feeds follow the ledger; they throw LedgerErrors and RequestErrors, which the GraphQL layer answers.',
    ),
  },
  {
    files: ['src/graphql/**/*.ts'],
    rules: restrict(
      [...storageModules, ...['storage', 'cli', 'rest', 'yoga'].flatMap(folder), ...wiring],
      'The schema layer reaches storage only through the ledger; the yoga server is built around it, not the other way.',
    ),
  },
  {
    files: ['src/yoga/**/*.ts'],
    rules: restrict(
      [...storageModules, ...['storage', 'cli', 'rest'].flatMap(folder), ...wiring],
      'The yoga server reaches storage only through the ledger.',
    ),
  },
  {
    files: ['client/**/*.ts', 'explorer/**/*.ts'],
    rules: restrict(
      ['node:*', ...storageModules, ...graphqlModules, '**/src/*', '**/src/**'],
      'client/ and explorer/ run in browsers: fetch and the DOM only, nothing from Node or the server.',
    ),
  },
  {
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Plain Node scripts that run at install time, before any TypeScript tooling is there.
    files: ['scripts/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
