import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputObjectType,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/core/block.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { createLedgerSchema } from '../../src/graphql/schema.js';
import { createLedgerYoga } from '../../src/yoga/yoga.js';
import { SEED_BLOCKS } from '../fixtures/seed-chain.js';

/** A stand-in ledger for testing the GraphQL layer alone; every unlisted method fails the test. */
function ledgerWith(overrides: Partial<Ledger>): Ledger {
  return new Proxy({ dataMaxBytes: 64, ...overrides } as Ledger, {
    get: (target, property): unknown => {
      if (property in target) return Reflect.get(target, property);
      throw new Error(`unexpected call to ledger.${String(property)}`);
    },
  });
}

async function execute(ledger: Ledger, query: string) {
  const yoga = createLedgerYoga({ ledger });
  const response = await yoga.fetch('http://ledger.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, text: await response.text() };
}

function fieldsOf(
  type: GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType,
): Array<GraphQLField<unknown, unknown> | GraphQLInputField> {
  return isInputObjectType(type) ? Object.values(type.getFields()) : Object.values(type.getFields());
}

describe('schema.graphql', () => {
  it('describes every type, field, argument and enum value', () => {
    const schema = createLedgerSchema();
    const undocumented: string[] = [];
    const types = Object.values(schema.getTypeMap()).filter((type: GraphQLNamedType) => !type.name.startsWith('__'));
    for (const type of types) {
      if (isScalarType(type) && ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description) undocumented.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of fieldsOf(type)) {
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
          for (const argument of 'args' in field ? field.args : []) {
            if (!argument.description) undocumented.push(`${type.name}.${field.name}(${argument.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (!value.description) undocumented.push(`${type.name}.${value.name}`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});

describe('GraphQL layer', () => {
  it('carries proofs beyond 32 bits exactly', async () => {
    const block: Block = { ...SEED_BLOCKS[1]!, proof: 2 ** 40 + 1 };
    const { text } = await execute(ledgerWith({ blockAt: () => block }), '{ block(index: 1) { proof } }');
    expect(text).toBe('{"data":{"block":{"proof":1099511627777}}}');
  });

  it('masks unexpected errors: no message, stack, SQLite code or file path reaches the client', async () => {
    const ledger = ledgerWith({
      tip: () => {
        throw new Error('SQLITE_CORRUPT: database disk image is malformed (/srv/secret/chain.db)');
      },
    });
    const { status, text } = await execute(ledger, '{ tip { index } }');
    expect(status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    expect(text).not.toMatch(/SQLITE|secret|chain\.db|at /);
  });
});
