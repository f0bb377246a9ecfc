import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { PACKAGE_GROUPS, UNITS, allowedImports } from './scripts/layers.mjs';
import { typeErrors } from './scripts/eslint-type-errors.mjs';

/**
 * Import rules from the layers of src/ (scripts/layers.mjs, which the docs'
 * diagrams are checked against): each unit may import only the units of ours
 * it names there, and not the npm packages its row must not reach.
 */
const restrict = (groups) => ({
  'no-restricted-imports': ['error', { patterns: groups.map(([group, message]) => ({ group, message })) }],
});

/** Import paths that reach `unit` (a folder, or a file at the top of src/) from anywhere in src/. */
const pathsTo = (unit) =>
  unit.endsWith('.ts')
    ? ['./', '../', '../../', '../../../'].map((up) => `${up}${unit.replace(/\.ts$/, '.js')}`)
    : ['../', '../../', '../../../'].map((up) => `${up}${unit}/*`);

/** What `unit` must not import, as [patterns, message] groups. */
function forbiddenFor(unit) {
  const allowed = new Set(allowedImports(unit));
  const { packages = [] } = UNITS.find((each) => each.name === unit);
  const units = UNITS.map((each) => each.name).filter((name) => name !== unit && !allowed.has(name));
  const groups = [];
  if (units.length > 0) {
    groups.push([
      units.flatMap(pathsTo),
      `src/${unit} may import only ${[...allowed].join(', ') || 'nothing of ours'} (scripts/layers.mjs).`,
    ]);
  }
  for (const group of packages) groups.push([PACKAGE_GROUPS[group], `src/${unit} must not import ${group} packages (scripts/layers.mjs).`]);
  return groups;
}

const filesOf = (unit) => (unit.endsWith('.ts') ? [`src/${unit}`] : [`src/${unit}/**/*.ts`]);

/**
 * Inside src/storage (drizzle's sqlite-core/pg-core, Trillian's storage/<backend>): the interface
 * and the logic both engines share sit at the root, and only open-storage.ts, the engine switch,
 * reaches into the engines' folders.
 */
const STORAGE_FOLDERS = [
  {
    files: ['src/storage/*.ts'],
    ignores: ['src/storage/open-storage.ts'],
    forbid: [['./sqlite/*', './postgres/*'], 'Engine-neutral storage code knows no engine: only open-storage.ts picks one.'],
  },
  {
    files: ['src/storage/sqlite/**/*.ts'],
    forbid: [['../postgres/*', '../open-storage.js'], 'An engine knows the shared storage code, never the other engine or the switch.'],
  },
  {
    files: ['src/storage/postgres/**/*.ts'],
    forbid: [['../sqlite/*', '../open-storage.js'], 'An engine knows the shared storage code, never the other engine or the switch.'],
  },
];

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
    plugins: { local: { rules: { 'type-errors': typeErrors } } },
    rules: {
      'local/type-errors': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...UNITS.map(({ name }) => ({ files: filesOf(name), rules: restrict(forbiddenFor(name)) })),
  ...STORAGE_FOLDERS.map(({ files, ignores = [], forbid }) => ({ files, ignores, rules: restrict([...forbiddenFor('storage'), forbid]) })),
  {
    files: ['client/**/*.ts', 'explorer/**/*.ts'],
    rules: restrict([
      [
        ['node:*', ...PACKAGE_GROUPS.drivers, ...PACKAGE_GROUPS.graphql, '**/src/*', '**/src/**'],
        'client/ and explorer/ run in browsers: fetch and the DOM only, nothing from Node or the server.',
      ],
    ]),
  },
  {
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Plain Node scripts: those that run at install time, before any TypeScript tooling is there, and the benchmarks' child processes.
    files: ['scripts/*.mjs', 'bench/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
