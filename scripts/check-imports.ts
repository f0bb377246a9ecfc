/**
 * `npm run imports:check`: the import graph of src/ has no cycle, type-only
 * imports included, and every unit of src/ (a folder, or a file at its top)
 * has a place in the layers (scripts/layers.mjs) that ESLint's import rules
 * are made from, with imports that point down only.
 *
 * The graph is TypeScript's own view of the sources: `preProcessFile` finds
 * every import and re-export (`import type` too, which ESLint's import
 * plugins skip), and `resolveModuleName` resolves them as `tsc` does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { LAYERS, UNITS, allowedImports } from './layers.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const SOURCES = join(ROOT, 'src');

/** Every TypeScript file under src/, generated ones included (they take part in cycles too). */
function sourceFiles(): string[] {
  return readdirSync(SOURCES, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Each file's imports of other files under `within` (src/), as TypeScript resolves them. */
export function importGraph(files: readonly string[] = sourceFiles(), within = SOURCES): Map<string, string[]> {
  const { config } = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile.bind(ts.sys)) as { config: unknown };
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const resolved = ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule?.resolvedFileName;
      if (resolved === undefined) throw new Error(`${relative(ROOT, file)}: cannot resolve ${fileName}`);
      if (resolved.startsWith(`${within}/`)) targets.add(resolved);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** The graph's cycles: each strongly connected component of more than one file, or a file importing itself (Tarjan). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    for (let member = stack.pop()!; ; member = stack.pop()!) {
      onStack.delete(member);
      component.push(member);
      if (member === file) break;
    }
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

/** What is wrong with the layer table: a unit of src/ it leaves out, one it names that is not there, an import that points up or sideways. */
export function layerTableProblems(): string[] {
  const problems: string[] = [];
  const present = readdirSync(SOURCES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || entry.name.endsWith('.ts'))
    .map((entry) => entry.name);
  const named = new Set(UNITS.map((unit) => unit.name));
  for (const unit of present) if (!named.has(unit)) problems.push(`src/${unit} has no place in scripts/layers.mjs`);
  for (const unit of named) if (!present.includes(unit)) problems.push(`scripts/layers.mjs names src/${unit}, which does not exist`);
  for (const unit of UNITS) {
    for (const target of allowedImports(unit.name)) {
      const row = UNITS.find((each) => each.name === target)?.row;
      if (row === undefined) problems.push(`src/${unit.name} may import ${target}, which is in no layer`);
      else if (row < unit.row || (row === unit.row && unit.imports !== '*'))
        problems.push(`src/${unit.name} (${LAYERS[unit.row]!.label}) may import ${target} (${LAYERS[row]!.label}): not a lower row`);
    }
  }
  return problems;
}

if (process.argv[1] === import.meta.filename) {
  const cycles = findCycles(importGraph());
  const problems = [
    ...cycles.map((cycle) => `import cycle: ${cycle.map((file) => relative(ROOT, file)).join(' ↔ ')}`),
    ...layerTableProblems(),
  ];
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) process.exit(1);
  console.log('src/: no import cycle; every unit has a layer, and every layer imports only below it.');
}
