import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const storageModules = ['better-sqlite3', 'drizzle-orm', 'drizzle-orm/*'];
const graphqlModules = ['graphql', 'graphql-yoga', 'graphql-scalars', '@graphql-yoga/*'];

/** Keeps the dependency direction: server -> graphql -> ledger -> core + storage; core imports nothing of ours. */
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
        projectService: { allowDefaultProject: ['eslint.config.js', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: restrict(
      [...storageModules, ...graphqlModules, '../*', '!./*'],
      'src/core is pure: no database, no GraphQL, nothing outside src/core.',
    ),
  },
  {
    files: ['src/storage/**/*.ts'],
    rules: restrict(
      [...graphqlModules, '../graphql/*', '../ledger/*', '../mining/*'],
      'src/storage knows the core types and SQL, nothing above it.',
    ),
  },
  {
    files: ['src/ledger/**/*.ts', 'src/mining/**/*.ts'],
    rules: restrict([...graphqlModules, ...storageModules, '../graphql/*'], 'No GraphQL or SQL driver below the GraphQL layer.'),
  },
  {
    files: ['src/chain-file/**/*.ts'],
    rules: restrict(
      [...storageModules, ...graphqlModules, '../storage/*', '../graphql/*', '../ledger/*', '../mining/*', '../cli/*'],
      'src/chain-file reads and writes chain files: the core and the file system, nothing else.',
    ),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: restrict([...graphqlModules, '**/graphql/*'], 'The operator tool works on the ledger and storage, below the GraphQL layer.'),
  },
  {
    files: ['src/rest/**/*.ts', 'src/http/**/*.ts'],
    rules: restrict([...storageModules, '../storage/*'], 'HTTP routes reach storage only through the ledger.'),
  },
  {
    files: ['src/graphql/**/*.ts'],
    rules: restrict([...storageModules, '../storage/*'], 'The GraphQL layer reaches storage only through the ledger.'),
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
