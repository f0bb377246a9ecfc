import { SafeIntResolver } from 'graphql-scalars';
import { NOTEBOOK_INVALID_MESSAGE, NOTEBOOK_MINED_MESSAGE, NOTEBOOK_VALID_MESSAGE } from '../core/notebook-format.js';
import type { BlockFeedEvent, MiningProgressUpdate } from '../live/live-feeds.js';
import { badUserInput, graphqlError, withErrorCodes } from './errors.js';
import type { Resolvers } from './generated/resolvers-types.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, encodeCursor, pageInfo, toRangeQuery } from './pagination.js';

export const resolvers: Resolvers = {
  SafeInt: SafeIntResolver,

  Query: {
    block: (_, { index }, { ledger }) => {
      if (index < 0) throw badUserInput(`\`index\` must be 0 or more; got ${index}.`);
      return withErrorCodes(() => ledger.blockAt(index));
    },
    blockByHash: (_, { hash }, { ledger }) => withErrorCodes(() => ledger.blockByHash(hash)),
    tip: (_, __, { ledger }) => withErrorCodes(() => ledger.tip()),
    difficulty: (_, __, { ledger }) => ledger.difficulty,
    limits: (_, __, { ledger }) => ({
      dataMaxBytes: ledger.dataMaxBytes,
      defaultPageSize: DEFAULT_PAGE_SIZE,
      maxPageSize: MAX_PAGE_SIZE,
    }),

    chain: async (_, args, { ledger }) => {
      const query = toRangeQuery(args);
      const { blocks, length } = await withErrorCodes(() => ledger.page(query));
      return {
        edges: blocks.map((block) => ({ cursor: encodeCursor(block.index), node: block })),
        nodes: [...blocks],
        pageInfo: pageInfo(query, blocks, length),
        totalCount: length,
      };
    },

    validate: async (_, __, { ledger }) => {
      const result = await withErrorCodes(() => ledger.validate());
      return {
        valid: result.valid,
        message: result.valid ? NOTEBOOK_VALID_MESSAGE : NOTEBOOK_INVALID_MESSAGE,
        length: result.length,
        errors: [...result.problems],
        errorCount: result.problemCount,
      };
    },
  },

  Mutation: {
    mineBlock: async (_, { data, idempotencyKey }, { ledger, admitMining }) => {
      return withErrorCodes(async () => {
        await admitMining();
        return {
          message: NOTEBOOK_MINED_MESSAGE,
          ...(await ledger.mineBlock({ data: data ?? null, idempotencyKey: idempotencyKey ?? null })),
        };
      });
    },
  },

  Subscription: {
    blockMined: {
      subscribe: (_, __, { live, clientKey }) => withErrorCodes(() => live.blockMined(clientKey())),
      resolve: (event: BlockFeedEvent) => {
        if ('block' in event) return event.block;
        throw graphqlError(
          'SUBSCRIBER_TOO_SLOW',
          `This subscriber fell ${event.tooSlow.queued} blocks behind and was ended; no block was skipped before this error. ` +
            'Subscribe again, then read the blocks after the last one received with `chain(first:, after:)`.',
        );
      },
    },
    miningProgress: {
      subscribe: (_, __, { live, clientKey }) => withErrorCodes(() => live.miningProgress(clientKey())),
      resolve: (update: MiningProgressUpdate) => update,
    },
  },
};
