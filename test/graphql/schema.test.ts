import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/core/block.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { createLedgerYoga } from '../../src/yoga/yoga.js';
import { NOTEBOOK_BLOCKS } from '../fixtures/notebook-chain.js';

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

describe('GraphQL layer', () => {
  it('carries proofs beyond 32 bits exactly', async () => {
    const block: Block = { ...NOTEBOOK_BLOCKS[1]!, proof: 2 ** 40 + 1 };
    const { text } = await execute(ledgerWith({ blockAt: () => Promise.resolve(block) }), '{ block(index: 1) { proof } }');
    expect(text).toBe('{"data":{"block":{"proof":1099511627777}}}');
  });

  it('masks unexpected errors: no message, stack, SQLite code or file path reaches the client', async () => {
    const ledger = ledgerWith({
      tip: () => Promise.reject(new Error('SQLITE_CORRUPT: database disk image is malformed (/srv/secret/chain.db)')),
    });
    const { status, text } = await execute(ledger, '{ tip { index } }');
    expect(status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    expect(text).not.toMatch(/SQLITE|secret|chain\.db|at /);
  });
});
