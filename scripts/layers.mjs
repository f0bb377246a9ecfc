/**
 * The layers of src/, top to bottom: the one place they are written down.
 * eslint.config.js turns them into import rules, and test/docs.test.ts holds
 * the diagrams in README.md and docs/architecture.md to them.
 *
 *   node scripts/layers.mjs           prints the diagram
 *   node scripts/layers.mjs --write   writes it into both documents
 *
 * Each unit (a folder of src/, or a file at its top) names the units of ours
 * it may import: only units of rows below its own (a row may skip the rows
 * between), never a unit of its own row (but for the wiring's, in the order
 * its label shows). `packages` names the groups of npm packages it must not
 * import either.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** npm packages that only some layers may import. */
export const PACKAGE_GROUPS = {
  /** Database drivers and the ORM: storage's alone (and the wiring's). */
  drivers: ['better-sqlite3', 'drizzle-orm', 'drizzle-orm/*', 'pg', 'pg-connection-string'],
  /** GraphQL and its server: the GraphQL layers' alone. */
  graphql: ['graphql', 'graphql-yoga', 'graphql-scalars', 'graphql-ws', 'graphql-ws/*', '@graphql-yoga/*', '@escape.tech/*'],
};

/** Every unit of its own row and of the rows below: the wiring's rule (its row's order is in its label). */
export const BELOW = '*';

/** @type {ReadonlyArray<import('./layers.d.mts').Layer>} */
export const LAYERS = [
  {
    label: 'main → server → app',
    says: 'entry point; the HTTP listener and its routing; the wiring',
    units: {
      'main.ts': { imports: BELOW },
      'server.ts': { imports: BELOW },
      'app.ts': { imports: BELOW },
      'startup-report.ts': { imports: BELOW },
    },
  },
  {
    label: 'yoga, rest',
    says: "GraphQL over HTTP; the notebook's REST routes",
    units: {
      yoga: { imports: ['graphql', 'live', 'http', 'ledger', 'observability', 'core', 'shared'], packages: ['drivers'] },
      rest: { imports: ['http', 'ledger', 'core', 'shared'], packages: ['drivers', 'graphql'] },
    },
  },
  {
    label: 'graphql',
    says: 'the schema layer: resolvers',
    units: { graphql: { imports: ['live', 'http', 'ledger', 'core', 'shared'], packages: ['drivers'] } },
  },
  {
    label: 'live',
    says: 'subscriptions: feeds, queues, WebSocket',
    units: { live: { imports: ['http', 'ledger', 'core', 'shared'], packages: ['drivers'] } },
  },
  {
    label: 'http',
    says: 'what both transports share; health and metrics routes',
    units: { http: { imports: ['ledger', 'observability', 'core', 'shared'], packages: ['drivers', 'graphql'] } },
  },
  {
    label: 'cli',
    says: 'the operator tool: ledger, storage, mining, chain files; no transport',
    units: { cli: { imports: ['config.ts', 'ledger', 'storage', 'mining', 'chain-file', 'core', 'shared'], packages: ['graphql'] } },
  },
  {
    label: 'config.ts, logger.ts',
    says: 'the only reader of the environment; log lines',
    units: {
      'config.ts': { imports: ['mining', 'core'], packages: ['drivers', 'graphql'] },
      'logger.ts': { imports: [], packages: ['drivers', 'graphql'] },
    },
  },
  {
    label: 'ledger',
    says: 'reads, validation, mining: one mine at a time',
    units: { ledger: { imports: ['storage', 'mining', 'core', 'shared'], packages: ['drivers', 'graphql'] } },
  },
  {
    label: 'storage, mining, chain-file, observability',
    says: 'SQLite and PostgreSQL; proof search; chain files; metrics',
    units: {
      storage: { imports: ['core', 'shared'], packages: ['graphql'] },
      mining: { imports: ['core', 'shared'], packages: ['drivers', 'graphql'] },
      'chain-file': { imports: ['core', 'shared'], packages: ['drivers', 'graphql'] },
      observability: { imports: ['shared'], packages: ['drivers', 'graphql'] },
    },
  },
  {
    label: 'core, shared',
    says: "pure: the notebook's rules; leaves anyone may import",
    units: {
      core: { imports: [], packages: ['drivers', 'graphql'] },
      shared: { imports: [], packages: ['drivers', 'graphql'] },
    },
  },
];

/** Every unit, with the index of its row (0 at the top). */
export const UNITS = LAYERS.flatMap((layer, row) => Object.entries(layer.units).map(([name, rule]) => ({ name, row, ...rule })));

/** The units `name` may import: those it names, or with BELOW every other unit of its row and the rows below. */
export function allowedImports(name) {
  const unit = UNITS.find((each) => each.name === name);
  if (unit === undefined) throw new Error(`${name} is in no layer of scripts/layers.mjs`);
  if (unit.imports !== BELOW) return unit.imports;
  return UNITS.filter((each) => each.row >= unit.row && each.name !== name).map((each) => each.name);
}

/** The layer diagram as the documents show it. */
export function renderLayerDiagram() {
  const width = Math.max(...LAYERS.map((layer) => layer.label.length)) + 3;
  return LAYERS.map((layer) => `${layer.label.padEnd(width)}${layer.says}`).join('\n');
}

/** The documents that show the diagram: in a fenced block right after this marker. */
export const LAYER_DOCUMENTS = ['README.md', 'docs/architecture.md'];
export const LAYER_MARKER = '<!-- The layers, from scripts/layers.mjs (node scripts/layers.mjs --write). -->';
const BLOCK = /(<!-- The layers, from scripts\/layers\.mjs[^\n]*-->\n```\n)[\s\S]*?(\n```)/;

/** The diagram a document shows, or null when it has no marked block. */
export function documentedDiagram(text) {
  const match = BLOCK.exec(text);
  return match === null ? null : match[0].slice(match[1].length, match[0].length - match[2].length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const diagram = renderLayerDiagram();
  if (process.argv.includes('--write')) {
    for (const document of LAYER_DOCUMENTS) {
      const path = fileURLToPath(new URL(`../${document}`, import.meta.url));
      const text = readFileSync(path, 'utf8');
      if (documentedDiagram(text) === null) throw new Error(`${document} has no block after "${LAYER_MARKER}"`);
      writeFileSync(
        path,
        text.replace(BLOCK, (_, start, end) => `${start}${diagram}${end}`),
      );
    }
  } else {
    console.log(diagram);
  }
}
