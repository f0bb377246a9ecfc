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

export type FaultMineMutationVariables = Exact<{ [key: string]: never; }>;


export type FaultMineMutation = { mineBlock: { block: { index: number, hash: string } } };

export type FaultLengthQueryVariables = Exact<{ [key: string]: never; }>;


export type FaultLengthQuery = { chain: { totalCount: number }, validate: { valid: boolean, length: number } };

export type MineMutationVariables = Exact<{
  data?: string | null | undefined;
}>;


export type MineMutation = { mineBlock: { message: string, attempts: number, durationMs: number, block: { index: number, proof: number, previousHash: string, hash: string, data: string | null, difficulty: number } } };

export type MineOnceMutationVariables = Exact<{
  data?: string | null | undefined;
  key?: string | null | undefined;
}>;


export type MineOnceMutation = { mineBlock: { attempts: number, replayed: boolean, block: { index: number, hash: string, data: string | null } } };

export type PageQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type PageQuery = { chain: { totalCount: number, edges: Array<{ cursor: string, node: { index: number, hash: string } }>, nodes: Array<{ index: number, timestamp: string, proof: number, previousHash: string, hash: string, data: string | null, difficulty: number }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } };

export type ReadBackQueryVariables = Exact<{
  hash: string;
}>;


export type ReadBackQuery = { difficulty: number, block: { index: number, timestamp: string, proof: number, previousHash: string, hash: string, data: string | null, difficulty: number } | null, byHash: { index: number } | null, tip: { index: number } };

export type BlockAtQueryVariables = Exact<{
  index: number;
}>;


export type BlockAtQuery = { block: { index: number, proof: number } | null };

export type ValidateQueryVariables = Exact<{ [key: string]: never; }>;


export type ValidateQuery = { validate: { valid: boolean, message: string, length: number, errorCount: number, errors: Array<{ index: number, reason: ChainErrorReason, message: string }> } };

export type TipQueryVariables = Exact<{ [key: string]: never; }>;


export type TipQuery = { tip: { index: number } };

export type LimitsQueryVariables = Exact<{ [key: string]: never; }>;


export type LimitsQuery = { difficulty: number, limits: { dataMaxBytes: number, defaultPageSize: number, maxPageSize: number } };

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

export const FaultMineDocument = new TypedDocumentString(`
    mutation FaultMine {
  mineBlock {
    block {
      index
      hash
    }
  }
}
    `) as unknown as TypedDocumentString<FaultMineMutation, FaultMineMutationVariables>;
export const FaultLengthDocument = new TypedDocumentString(`
    query FaultLength {
  chain(last: 1) {
    totalCount
  }
  validate {
    valid
    length
  }
}
    `) as unknown as TypedDocumentString<FaultLengthQuery, FaultLengthQueryVariables>;
export const MineDocument = new TypedDocumentString(`
    mutation Mine($data: String) {
  mineBlock(data: $data) {
    message
    block {
      index
      proof
      previousHash
      hash
      data
      difficulty
    }
    attempts
    durationMs
  }
}
    `) as unknown as TypedDocumentString<MineMutation, MineMutationVariables>;
export const MineOnceDocument = new TypedDocumentString(`
    mutation MineOnce($data: String, $key: String) {
  mineBlock(data: $data, idempotencyKey: $key) {
    block {
      index
      hash
      data
    }
    attempts
    replayed
  }
}
    `) as unknown as TypedDocumentString<MineOnceMutation, MineOnceMutationVariables>;
export const PageDocument = new TypedDocumentString(`
    query Page($first: Int, $after: String, $last: Int, $before: String) {
  chain(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges {
      cursor
      node {
        index
        hash
      }
    }
    nodes {
      index
      timestamp
      proof
      previousHash
      hash
      data
      difficulty
    }
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
  }
}
    `) as unknown as TypedDocumentString<PageQuery, PageQueryVariables>;
export const ReadBackDocument = new TypedDocumentString(`
    query ReadBack($hash: String!) {
  block(index: 3) {
    index
    timestamp
    proof
    previousHash
    hash
    data
    difficulty
  }
  byHash: blockByHash(hash: $hash) {
    index
  }
  tip {
    index
  }
  difficulty
}
    `) as unknown as TypedDocumentString<ReadBackQuery, ReadBackQueryVariables>;
export const BlockAtDocument = new TypedDocumentString(`
    query BlockAt($index: Int!) {
  block(index: $index) {
    index
    proof
  }
}
    `) as unknown as TypedDocumentString<BlockAtQuery, BlockAtQueryVariables>;
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
export const TipDocument = new TypedDocumentString(`
    query Tip {
  tip {
    index
  }
}
    `) as unknown as TypedDocumentString<TipQuery, TipQueryVariables>;
export const LimitsDocument = new TypedDocumentString(`
    query Limits {
  difficulty
  limits {
    dataMaxBytes
    defaultPageSize
    maxPageSize
  }
}
    `) as unknown as TypedDocumentString<LimitsQuery, LimitsQueryVariables>;