import { readdirSync, readFileSync } from 'node:fs';
import { getIntrospectionQuery, Kind, parse, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_TABS } from '../../src/yoga/graphiql.js';
import { SHIPPED_OPERATION_NAMES } from '../../src/yoga/known-operations.js';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');

const operationNames = (document: DocumentNode): string[] =>
  document.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION && definition.name !== undefined ? [definition.name.value] : [],
  );

describe('the operation names the server ships', () => {
  it("are those of the client's documents (the explorer's too), GraphiQL's examples and its schema query", () => {
    const client = readdirSync(new URL('client/operations/', ROOT))
      .filter((file) => file.endsWith('.graphql'))
      .flatMap((file) => operationNames(parse(read(`client/operations/${file}`))));
    const graphiql = EXAMPLE_TABS.flatMap((tab) => operationNames(parse(tab.query)));
    const introspection = operationNames(parse(getIntrospectionQuery()));
    const shipped = [...new Set([...client, ...graphiql, ...introspection])].sort();
    // Out of date: update SHIPPED_OPERATION_NAMES in src/yoga/known-operations.ts.
    expect([...SHIPPED_OPERATION_NAMES].sort()).toEqual(shipped);
    expect(client.length).toBeGreaterThan(5);
    expect(introspection).toEqual(['IntrospectionQuery']);
  });

  it("include every document the explorer sends (it imports them from the client's generated ones)", () => {
    const explorer = readdirSync(new URL('explorer/src/', ROOT))
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) => [...read(`explorer/src/${file}`).matchAll(/\b([A-Z]\w*)Document\b/g)].map((match) => match[1]!));
    expect(explorer.length).toBeGreaterThan(5);
    for (const name of explorer) expect(SHIPPED_OPERATION_NAMES).toContain(name);
  });
});
