import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS_DOC, renderErrorsDoc } from '../scripts/error-table.js';
import { LAYER_DOCUMENTS, documentedDiagram, renderLayerDiagram } from '../scripts/layers.mjs';
import { CONFIG_VARIABLES, loadConfig } from '../src/config.js';
import { ERROR_CODES } from '../src/shared/error-codes.js';

const ROOT = resolve(import.meta.dirname, '..');
const read = (path: string): string => readFileSync(resolve(ROOT, path), 'utf8');

/** The variables a `.env` file sets (`NAME=value` lines) and those it only names in comments (`# NAME=`). */
function parseEnvFile(text: string): { set: Record<string, string>; named: string[] } {
  const set: Record<string, string> = {};
  const named: string[] = [];
  for (const line of text.split('\n')) {
    const assignment = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (assignment === null) continue;
    named.push(assignment[2]!);
    if (assignment[1] === undefined) set[assignment[2]!] = assignment[3]!;
  }
  return { set, named };
}

describe('the docs match the code', () => {
  it('docs/errors.md is the table in src/shared/error-codes.ts (npm run docs:errors)', () => {
    expect(readFileSync(ERRORS_DOC, 'utf8')).toBe(renderErrorsDoc());
  });

  it("docs/errors.md's rule for errors raised while an operation runs is what the server does (test/yoga/hardening.test.ts)", () => {
    const rule = renderErrorsDoc().replace(/\s+/g, ' ');
    expect(rule).not.toContain('Errors raised while an operation runs answer 200,');
    expect(rule).toContain('Errors raised while an operation runs answer the status in the table too');
  });

  it('the layer diagrams are the table the import rules are made from (node scripts/layers.mjs --write)', () => {
    for (const document of LAYER_DOCUMENTS) expect(documentedDiagram(read(document)), document).toBe(renderLayerDiagram());
  });

  it('every error code has a status on some interface, and the server statuses are HTTP errors', () => {
    for (const [code, { graphql, rest, cli }] of Object.entries(ERROR_CODES)) {
      expect(graphql !== null || rest !== null || cli !== null, code).toBe(true);
      if (rest !== null) expect(rest, code).toBeGreaterThanOrEqual(400);
    }
  });

  it('.env.example names every variable the server reads, with the defaults the server uses', () => {
    const { set, named } = parseEnvFile(read('.env.example'));
    expect([...named].sort()).toEqual([...CONFIG_VARIABLES].sort());
    // Setting every value the example sets changes nothing: they are the defaults.
    expect(loadConfig(set)).toEqual(loadConfig({}));
  });

  it("docs/operations.md's configuration table lists every variable the server reads, and no other", () => {
    const section = /^## Configuration\n[\s\S]*?(?=^## )/m.exec(read('docs/operations.md'))?.[0] ?? '';
    const rows = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]!);
    expect([...rows].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('no page points at an issue number, which a reader of the repository cannot see', () => {
    const pages = [
      'README.md',
      'BENCHMARKS.md',
      ...readdirSync(resolve(ROOT, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`),
    ];
    for (const page of pages) {
      expect(read(page), page).not.toMatch(/\bissues? #?\d+\b/i);
    }
  });
});

/** The documents a reader walks through: the front door, the reference pages, the contributor's guide. */
const WALKED_DOCUMENTS = [
  'README.md',
  'CONTRIBUTING.md',
  'BENCHMARKS.md',
  ...readdirSync(resolve(ROOT, 'docs')).map((name) => `docs/${name}`),
].filter((path) => path.endsWith('.md'));

/** Top-level folders whose files the documents name by path. */
const PATH_ROOTS = ['src', 'test', 'bench', 'scripts', 'migrations', 'client', 'explorer', 'native', 'wasm', 'schema', 'docs'];

describe('every file a document names is where it says', () => {
  it.each(WALKED_DOCUMENTS)('%s', (document) => {
    const missing: string[] = [];
    const text = read(document);
    // `src/storage/open-storage.ts`, `test/helpers/postgres.ts`, `migrations/postgres/`: paths from the repository's root.
    for (const [, path] of text.matchAll(new RegExp(`\`((?:${PATH_ROOTS.join('|')})/[\\w./-]*)\``, 'g'))) {
      if (/[*<>]/.test(path!)) continue;
      if (!existsSync(resolve(ROOT, path!))) missing.push(path!);
    }
    // In a section about folders ("### `src/storage` ..."), a bare `file.ts` lives in one of them, or below.
    for (const section of text.split(/^### /m).slice(1)) {
      const heading = section.split('\n', 1)[0]!;
      const places = [...heading.matchAll(/`((?:src|test)\/[\w./-]*)`/g)]
        .map((match) => match[1]!)
        .filter((place) => existsSync(resolve(ROOT, place)));
      if (places.length === 0) continue;
      const files = places.flatMap((place) =>
        place.endsWith('.ts') ? [place.split('/').pop()!] : readdirSync(resolve(ROOT, place), { recursive: true }).map(String),
      );
      for (const [, name] of section.matchAll(/`([\w-]+\.(?:ts|mjs|py))`/g)) {
        if (!files.some((file) => file === name || file.endsWith(`/${name}`))) missing.push(`${places.join(', ')}: ${name}`);
      }
    }
    expect(missing, document).toEqual([]);
  });
});
