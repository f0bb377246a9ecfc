/**
 * The names of the operations this server ships, which keep a label of their
 * own in the request metrics (every other name counts as 'other', so that
 * made-up names cannot add series): the client's documents in
 * client/operations (which the explorer sends), GraphiQL's example tabs, and
 * the introspection query GraphiQL sends for its schema documentation.
 * test/yoga/known-operations.test.ts reads those documents and fails when
 * this list differs.
 */
export const SHIPPED_OPERATION_NAMES: readonly string[] = [
  'Block',
  'BlockMined',
  'ChainPage',
  'IntrospectionQuery',
  'MineBlock',
  'MineBlockWithData',
  'MineOnce',
  'MiningProgress',
  'NewestBlocks',
  'ServerInfo',
  'Tip',
  'Validate',
];
