/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation FaultMine {\n    mineBlock { block { index hash } }\n  }\n": typeof types.FaultMineDocument,
    "\n  query FaultLength {\n    chain(last: 1) { totalCount }\n    validate { valid length }\n  }\n": typeof types.FaultLengthDocument,
    "\n  mutation Mine($data: String) {\n    mineBlock(data: $data) {\n      message\n      block { index proof previousHash hash data difficulty }\n      attempts\n      durationMs\n    }\n  }\n": typeof types.MineDocument,
    "\n  mutation MineOnce($data: String, $key: String) {\n    mineBlock(data: $data, idempotencyKey: $key) {\n      block { index hash data }\n      attempts\n      replayed\n    }\n  }\n": typeof types.MineOnceDocument,
    "\n  query Page($first: Int, $after: String, $last: Int, $before: String) {\n    chain(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges { cursor node { index hash } }\n      nodes { index timestamp proof previousHash hash data difficulty }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.PageDocument,
    "\n  query ReadBack($hash: String!) {\n    block(index: 3) { index timestamp proof previousHash hash data difficulty }\n    byHash: blockByHash(hash: $hash) { index }\n    tip { index }\n    difficulty\n  }\n": typeof types.ReadBackDocument,
    "\n  query BlockAt($index: Int!) {\n    block(index: $index) { index proof }\n  }\n": typeof types.BlockAtDocument,
    "\n  query Validate {\n    validate { valid message length errorCount errors { index reason message } }\n  }\n": typeof types.ValidateDocument,
    "\n  query Tip {\n    tip { index }\n  }\n": typeof types.TipDocument,
    "\n  query Limits {\n    difficulty\n    limits { dataMaxBytes defaultPageSize maxPageSize }\n  }\n": typeof types.LimitsDocument,
};
const documents: Documents = {
    "\n  mutation FaultMine {\n    mineBlock { block { index hash } }\n  }\n": types.FaultMineDocument,
    "\n  query FaultLength {\n    chain(last: 1) { totalCount }\n    validate { valid length }\n  }\n": types.FaultLengthDocument,
    "\n  mutation Mine($data: String) {\n    mineBlock(data: $data) {\n      message\n      block { index proof previousHash hash data difficulty }\n      attempts\n      durationMs\n    }\n  }\n": types.MineDocument,
    "\n  mutation MineOnce($data: String, $key: String) {\n    mineBlock(data: $data, idempotencyKey: $key) {\n      block { index hash data }\n      attempts\n      replayed\n    }\n  }\n": types.MineOnceDocument,
    "\n  query Page($first: Int, $after: String, $last: Int, $before: String) {\n    chain(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges { cursor node { index hash } }\n      nodes { index timestamp proof previousHash hash data difficulty }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.PageDocument,
    "\n  query ReadBack($hash: String!) {\n    block(index: 3) { index timestamp proof previousHash hash data difficulty }\n    byHash: blockByHash(hash: $hash) { index }\n    tip { index }\n    difficulty\n  }\n": types.ReadBackDocument,
    "\n  query BlockAt($index: Int!) {\n    block(index: $index) { index proof }\n  }\n": types.BlockAtDocument,
    "\n  query Validate {\n    validate { valid message length errorCount errors { index reason message } }\n  }\n": types.ValidateDocument,
    "\n  query Tip {\n    tip { index }\n  }\n": types.TipDocument,
    "\n  query Limits {\n    difficulty\n    limits { dataMaxBytes defaultPageSize maxPageSize }\n  }\n": types.LimitsDocument,
};

/**
 * The gql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function gql(source: "\n  mutation FaultMine {\n    mineBlock { block { index hash } }\n  }\n"): typeof import('./graphql.js').FaultMineDocument;
/**
 * The gql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function gql(source: "\n  query FaultLength {\n    chain(last: 1) { totalCount }\n    validate { valid length }\n  }\n"): typeof import('./graphql.js').FaultLengthDocument;
/**
 * The gql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function gql(source: "\n  mutation Mine($data: String) {\n    mineBlock(data: $data) {\n      message\n      block { index proof previousHash hash data difficulty }\n      attempts\n      durationMs\n    }\n  }\n"): typeof import('./graphql.js').MineDocument;
/**
 * The gql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function gql(source: "\n  mutation MineOnce($data: String, $key: String) {\n    mineBlock(data: $data, idempotencyKey: $key) {\n      block { index hash data }\n      attempts\n      replayed\n    }\n  }\n"): typeof import('./graphql.js').MineOnceDocument;
/**
 * The gql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function gql(source: "\n  query Page($first: Int, $after: String, $last: Int, $before: String) {\n    chain(first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      edges { cursor node { index hash } }\n      nodes { index timestamp proof previousHash hash data difficulty }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): typeof import('./graphql.js').PageDocument;
/**
 * The gql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function gql(source: "\n  query ReadBack($hash: String!) {\n    block(index: 3) { index timestamp proof previousHash hash data difficulty }\n    byHash: blockByHash(hash: $hash) { index }\n    tip { index }\n    difficulty\n  }\n"): typeof import('./graphql.js').ReadBackDocument;
/**
 * The gql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function gql(source: "\n  query BlockAt($index: Int!) {\n    block(index: $index) { index proof }\n  }\n"): typeof import('./graphql.js').BlockAtDocument;
/**
 * The gql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function gql(source: "\n  query Validate {\n    validate { valid message length errorCount errors { index reason message } }\n  }\n"): typeof import('./graphql.js').ValidateDocument;
/**
 * The gql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function gql(source: "\n  query Tip {\n    tip { index }\n  }\n"): typeof import('./graphql.js').TipDocument;
/**
 * The gql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function gql(source: "\n  query Limits {\n    difficulty\n    limits { dataMaxBytes defaultPageSize maxPageSize }\n  }\n"): typeof import('./graphql.js').LimitsDocument;


export function gql(source: string) {
  return (documents as any)[source] ?? {};
}
