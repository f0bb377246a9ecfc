import type { GraphiQLOptions } from 'graphql-yoga';

const BLOCK_FIELDS = 'index timestamp proof previousHash hash data difficulty';

/** Tabs a first-time visitor sees: the notebook's walk-through, as GraphQL. */
export const EXAMPLE_TABS = [
  {
    query: `# Mines the next block. On a new chain the proofs come out as in the notebook:
# 533, 45293, 21391, 8018, 48191.
mutation MineBlock {
  mineBlock {
    message
    block { index proof previousHash hash }
    attempts
    durationMs
  }
}
`,
  },
  {
    query: `# The five newest blocks, and how long the chain is.
query NewestBlocks {
  chain(last: 5) {
    totalCount
    nodes { ${BLOCK_FIELDS} }
    pageInfo { hasPreviousPage startCursor }
  }
}
`,
  },
  {
    query: `# Checks every block; lists each problem with its block index.
query Validate {
  validate { valid message length errorCount errors { index reason message } }
}
`,
  },
  {
    query: `# One block by index (0 is the genesis block), with data stored.
query Block {
  block(index: 1) { ${BLOCK_FIELDS} }
}

mutation MineBlockWithData {
  mineBlock(data: "hello, ledger") { block { ${BLOCK_FIELDS} } }
}
`,
  },
  {
    query: `# A mine that is safe to retry: run it twice, and the second answer is the
# same block (replayed: true), not a second one. Use a new key (a UUID) for
# each new mine; the same key with other data is refused.
mutation MineOnce {
  mineBlock(data: "order 1001", idempotencyKey: "9f1c2d3e-order-1001") {
    replayed
    block { index hash data }
  }
}
`,
  },
  {
    query: `# Live updates (Server-Sent Events). Run one, then mine in another tab.
# Every new block, in order:
subscription BlockMined {
  blockMined { index proof hash data }
}

# The mine in progress (or the next one) about four times a second;
# ends with state MINED (and the block) or ABANDONED.
subscription MiningProgress {
  miningProgress { index state attempts expectedAttempts hashRate elapsedMs block { index hash } }
}
`,
  },
];

export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'Proof-of-work ledger',
  // GraphiQL would send subscriptions as GET requests (Server-Sent Events),
  // which CSRF prevention refuses without its header; a JSON POST with
  // `Accept: text/event-stream` needs none.
  method: 'POST',
  defaultQuery: EXAMPLE_TABS[0]?.query ?? '',
  defaultTabs: EXAMPLE_TABS,
};

/**
 * GraphiQL with its scripts inlined (no CDN), so it works offline and behind
 * firewalls. The page is ~9 MB and the same for every request: render it once,
 * at the first request for it. The renderer is loaded then too: importing it
 * costs ~0.4 s, which every start of the server (and of each test process)
 * would otherwise pay, GraphiQL or not.
 */
export function createOfflineGraphiQLRenderer(): (options?: GraphiQLOptions) => Promise<string> {
  let page: Promise<string> | null = null;
  return (options) => {
    page ??= import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options));
    // A failed render is tried again at the next request, not remembered.
    page.catch(() => (page = null));
    return page;
  };
}
