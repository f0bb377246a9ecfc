import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSchema } from 'graphql-yoga';
import type { GraphQLContext } from './context.js';
import { resolvers } from './resolvers.js';

/** The API's source of truth, at the repository root (the same path from src/graphql and dist/graphql). */
export const SCHEMA_PATH = resolve(import.meta.dirname, '../../schema.graphql');

/** schema.graphql with its resolvers: the executable schema both transports serve. */
export function createLedgerSchema() {
  return createSchema<GraphQLContext>({ typeDefs: readFileSync(SCHEMA_PATH, 'utf8'), resolvers });
}
