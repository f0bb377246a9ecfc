import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { immutableBlockKeys } from '../../src/yoga/immutable-query.js';

const keys = (query: string, operationName?: string) => immutableBlockKeys(parse(query), operationName);

describe('operations whose answer stays right once their blocks exist', () => {
  it('are queries of block and blockByHash only, by response key', () => {
    expect(keys('{ block(index: 1) { hash } }')).toEqual(['block']);
    expect(
      keys('{ a: block(index: 1) { hash ...F } b: blockByHash(hash: "x") { index } __typename } fragment F on Block { data }'),
    ).toEqual(['a', 'b']);
    expect(keys('query Q($i: Int!) { block(index: $i) { hash } }', 'Q')).toEqual(['block']);
  });

  it.each([
    ['the tip', '{ block(index: 1) { hash } tip { index } }'],
    ['a page', '{ chain { totalCount } }'],
    ['validation', '{ validate { valid } }'],
    ['the difficulty', '{ block(index: 1) { hash } difficulty }'],
    ['only __typename', '{ __typename }'],
    ['a root fragment', '{ ...F } fragment F on Query { block(index: 1) { hash } }'],
    ['a root directive', 'query ($x: Boolean!) { block(index: 1) @include(if: $x) { hash } }'],
    ['a mutation', 'mutation { mineBlock { block { hash } } }'],
    ['a subscription', 'subscription { blockMined { hash } }'],
    ['introspection', '{ __schema { queryType { name } } }'],
  ])('exclude %s', (_, query) => {
    expect(keys(query)).toBeNull();
  });

  it('follow operationName, and exclude an ambiguous document', () => {
    const document = 'query A { block(index: 1) { hash } } query B { tip { index } }';
    expect(keys(document, 'A')).toEqual(['block']);
    expect(keys(document, 'B')).toBeNull();
    expect(keys(document)).toBeNull();
  });
});
