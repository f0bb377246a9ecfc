import { GraphQLError } from 'graphql';
import { SafeIntResolver } from 'graphql-scalars';
import { badUserInput, withLedgerErrors } from './errors.js';
import type { Resolvers } from './generated/resolvers-types.js';
import type { BlockFeedEvent, MiningProgressUpdate } from './live-feeds.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, encodeCursor, pageInfo, toRangeQuery } from './pagination.js';

/** The seed's wording, kept for its clients. */
export const MINED_MESSAGE = 'Congratulations, you just mined a Block!';
export const VALID_MESSAGE = 'Chain is valid.';
export const INVALID_MESSAGE = 'Chain is not valid!';

export const resolvers: Resolvers = {
  SafeInt: SafeIntResolver,

  Query: {
    block: (_, { index }, { ledger }) => {
      if (index < 0) throw badUserInput(`\`index\` must be 0 or more; got ${index}.`);
      return withLedgerErrors(() => ledger.blockAt(index));
    },
    blockByHash: (_, { hash }, { ledger }) => withLedgerErrors(() => ledger.blockByHash(hash)),
    tip: (_, __, { ledger }) => withLedgerErrors(() => ledger.tip()),
    difficulty: (_, __, { ledger }) => ledger.difficulty,
    limits: (_, __, { ledger }) => ({
      dataMaxBytes: ledger.dataMaxBytes,
      defaultPageSize: DEFAULT_PAGE_SIZE,
      maxPageSize: MAX_PAGE_SIZE,
    }),

    chain: (_, args, { ledger }) => {
      const query = toRangeQuery(args);
      const { blocks, length } = withLedgerErrors(() => ledger.page(query));
      return {
        edges: blocks.map((block) => ({ cursor: encodeCursor(block.index), node: block })),
        nodes: [...blocks],
        pageInfo: pageInfo(query, blocks, length),
        totalCount: length,
      };
    },

    validate: async (_, __, { ledger }) => {
      const result = await withLedgerErrors(() => ledger.validate());
      return {
        valid: result.valid,
        message: result.valid ? VALID_MESSAGE : INVALID_MESSAGE,
        length: result.length,
        errors: [...result.problems],
        errorCount: result.problemCount,
      };
    },
  },

  Mutation: {
    mineBlock: async (_, { data }, { ledger, admitMining }) => {
      await admitMining();
      return withLedgerErrors(async () => ({ message: MINED_MESSAGE, ...(await ledger.mineBlock({ data: data ?? null })) }));
    },
  },

  Subscription: {
    blockMined: {
      subscribe: (_, __, { live, clientKey }) => live.blockMined(clientKey()),
      resolve: (event: BlockFeedEvent) => {
        if ('block' in event) return event.block;
        throw new GraphQLError(
          `This subscriber fell ${event.tooSlow.queued} blocks behind and was ended; no block was skipped before this error. ` +
            'Subscribe again, then read the blocks after the last one received with `chain(first:, after:)`.',
          { extensions: { code: 'SUBSCRIBER_TOO_SLOW' } },
        );
      },
    },
    miningProgress: {
      subscribe: (_, __, { live, clientKey }) => live.miningProgress(clientKey()),
      resolve: (update: MiningProgressUpdate) => update,
    },
  },
};
