/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** The kinds of problem validation reports. */
export type ChainErrorReason =
  /** A block records a difficulty outside the supported range. */
  | 'DIFFICULTY_INVALID'
  /** The first block is not the notebook's genesis block (index 0, previous hash "0", proof 1, difficulty 4, no data). */
  | 'GENESIS_INVALID'
  /** A block's stored hash is not the hash of its content: the block was changed after it was mined. */
  | 'HASH_MISMATCH'
  /** A block's index is not its position in the chain. */
  | 'INDEX_MISMATCH'
  /** A block's `previousHash` is not the stored hash of the block before it. */
  | 'PREVIOUS_HASH_MISMATCH'
  /** A block's proof, after the previous block's proof, does not meet the block's difficulty. */
  | 'PROOF_INVALID';

/** Where a mine stands. */
export type MiningState =
  /** The mine ended without a block: the server shut down, or mining failed (the chain turned out invalid, storing failed, other writers kept moving the tip: see `mineBlock`'s errors). */
  | 'ABANDONED'
  /** The block was found and durably stored (see `MiningProgress.block`). */
  | 'MINED'
  /** Still searching for a proof. */
  | 'MINING';

export type BlockFieldsFragment = { index: number, timestamp: string, proof: number, previousHash: string, hash: string, data: string | null, difficulty: number };

export type BlockMinedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type BlockMinedSubscription = { blockMined: { index: number, timestamp: string, proof: number, previousHash: string, hash: string, data: string | null, difficulty: number } };

export type ChainPageQueryVariables = Exact<{
  last: number;
  before?: string | null | undefined;
}>;


export type ChainPageQuery = { chain: { totalCount: number, pageInfo: { hasPreviousPage: boolean, startCursor: string | null }, edges: Array<{ cursor: string, node: { index: number, timestamp: string, proof: number, previousHash: string, hash: string, data: string | null, difficulty: number } }> } };

export type MineBlockMutationVariables = Exact<{
  data?: string | null | undefined;
  idempotencyKey?: string | null | undefined;
}>;


export type MineBlockMutation = { mineBlock: { message: string, attempts: number, durationMs: number, replayed: boolean, block: { index: number, timestamp: string, proof: number, previousHash: string, hash: string, data: string | null, difficulty: number } } };

export type MiningProgressSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type MiningProgressSubscription = { miningProgress: { index: number, difficulty: number, attempts: number, expectedAttempts: number, hashRate: number, elapsedMs: number, state: MiningState, block: { index: number, timestamp: string, proof: number, previousHash: string, hash: string, data: string | null, difficulty: number } | null } };

export type ServerInfoQueryVariables = Exact<{ [key: string]: never; }>;


export type ServerInfoQuery = { difficulty: number, limits: { dataMaxBytes: number, maxPageSize: number } };

export type TipQueryVariables = Exact<{ [key: string]: never; }>;


export type TipQuery = { tip: { index: number, timestamp: string, proof: number, previousHash: string, hash: string, data: string | null, difficulty: number } };

export type ValidateQueryVariables = Exact<{ [key: string]: never; }>;


export type ValidateQuery = { validate: { valid: boolean, message: string, length: number, errorCount: number, errors: Array<{ index: number, reason: ChainErrorReason, message: string }> } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const BlockFieldsFragmentDoc = new TypedDocumentString(`
    fragment BlockFields on Block {
  index
  timestamp
  proof
  previousHash
  hash
  data
  difficulty
}
    `, {"fragmentName":"BlockFields"}) as unknown as TypedDocumentString<BlockFieldsFragment, unknown>;
export const BlockMinedDocument = new TypedDocumentString(`
    subscription BlockMined {
  blockMined {
    ...BlockFields
  }
}
    fragment BlockFields on Block {
  index
  timestamp
  proof
  previousHash
  hash
  data
  difficulty
}`) as unknown as TypedDocumentString<BlockMinedSubscription, BlockMinedSubscriptionVariables>;
export const ChainPageDocument = new TypedDocumentString(`
    query ChainPage($last: Int!, $before: String) {
  chain(last: $last, before: $before) {
    totalCount
    pageInfo {
      hasPreviousPage
      startCursor
    }
    edges {
      cursor
      node {
        ...BlockFields
      }
    }
  }
}
    fragment BlockFields on Block {
  index
  timestamp
  proof
  previousHash
  hash
  data
  difficulty
}`) as unknown as TypedDocumentString<ChainPageQuery, ChainPageQueryVariables>;
export const MineBlockDocument = new TypedDocumentString(`
    mutation MineBlock($data: String, $idempotencyKey: String) {
  mineBlock(data: $data, idempotencyKey: $idempotencyKey) {
    message
    attempts
    durationMs
    replayed
    block {
      ...BlockFields
    }
  }
}
    fragment BlockFields on Block {
  index
  timestamp
  proof
  previousHash
  hash
  data
  difficulty
}`) as unknown as TypedDocumentString<MineBlockMutation, MineBlockMutationVariables>;
export const MiningProgressDocument = new TypedDocumentString(`
    subscription MiningProgress {
  miningProgress {
    index
    difficulty
    attempts
    expectedAttempts
    hashRate
    elapsedMs
    state
    block {
      ...BlockFields
    }
  }
}
    fragment BlockFields on Block {
  index
  timestamp
  proof
  previousHash
  hash
  data
  difficulty
}`) as unknown as TypedDocumentString<MiningProgressSubscription, MiningProgressSubscriptionVariables>;
export const ServerInfoDocument = new TypedDocumentString(`
    query ServerInfo {
  difficulty
  limits {
    dataMaxBytes
    maxPageSize
  }
}
    `) as unknown as TypedDocumentString<ServerInfoQuery, ServerInfoQueryVariables>;
export const TipDocument = new TypedDocumentString(`
    query Tip {
  tip {
    ...BlockFields
  }
}
    fragment BlockFields on Block {
  index
  timestamp
  proof
  previousHash
  hash
  data
  difficulty
}`) as unknown as TypedDocumentString<TipQuery, TipQueryVariables>;
export const ValidateDocument = new TypedDocumentString(`
    query Validate {
  validate {
    valid
    message
    length
    errorCount
    errors {
      index
      reason
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ValidateQuery, ValidateQueryVariables>;