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
    "fragment BlockFields on Block {\n  index\n  timestamp\n  proof\n  previousHash\n  hash\n  data\n  difficulty\n}": typeof types.BlockFieldsFragmentDoc,
    "subscription BlockMined {\n  blockMined {\n    ...BlockFields\n  }\n}": typeof types.BlockMinedDocument,
    "query ChainPage($last: Int!, $before: String) {\n  chain(last: $last, before: $before) {\n    totalCount\n    pageInfo {\n      hasPreviousPage\n      startCursor\n    }\n    edges {\n      cursor\n      node {\n        ...BlockFields\n      }\n    }\n  }\n}": typeof types.ChainPageDocument,
    "mutation MineBlock($data: String, $idempotencyKey: String) {\n  mineBlock(data: $data, idempotencyKey: $idempotencyKey) {\n    message\n    attempts\n    durationMs\n    replayed\n    block {\n      ...BlockFields\n    }\n  }\n}": typeof types.MineBlockDocument,
    "subscription MiningProgress {\n  miningProgress {\n    index\n    difficulty\n    attempts\n    expectedAttempts\n    hashRate\n    elapsedMs\n    state\n    block {\n      ...BlockFields\n    }\n  }\n}": typeof types.MiningProgressDocument,
    "query ServerInfo {\n  difficulty\n  limits {\n    dataMaxBytes\n    maxPageSize\n  }\n}": typeof types.ServerInfoDocument,
    "query Tip {\n  tip {\n    ...BlockFields\n  }\n}": typeof types.TipDocument,
    "query Validate {\n  validate {\n    valid\n    message\n    length\n    errorCount\n    errors {\n      index\n      reason\n      message\n    }\n  }\n}": typeof types.ValidateDocument,
};
const documents: Documents = {
    "fragment BlockFields on Block {\n  index\n  timestamp\n  proof\n  previousHash\n  hash\n  data\n  difficulty\n}": types.BlockFieldsFragmentDoc,
    "subscription BlockMined {\n  blockMined {\n    ...BlockFields\n  }\n}": types.BlockMinedDocument,
    "query ChainPage($last: Int!, $before: String) {\n  chain(last: $last, before: $before) {\n    totalCount\n    pageInfo {\n      hasPreviousPage\n      startCursor\n    }\n    edges {\n      cursor\n      node {\n        ...BlockFields\n      }\n    }\n  }\n}": types.ChainPageDocument,
    "mutation MineBlock($data: String, $idempotencyKey: String) {\n  mineBlock(data: $data, idempotencyKey: $idempotencyKey) {\n    message\n    attempts\n    durationMs\n    replayed\n    block {\n      ...BlockFields\n    }\n  }\n}": types.MineBlockDocument,
    "subscription MiningProgress {\n  miningProgress {\n    index\n    difficulty\n    attempts\n    expectedAttempts\n    hashRate\n    elapsedMs\n    state\n    block {\n      ...BlockFields\n    }\n  }\n}": types.MiningProgressDocument,
    "query ServerInfo {\n  difficulty\n  limits {\n    dataMaxBytes\n    maxPageSize\n  }\n}": types.ServerInfoDocument,
    "query Tip {\n  tip {\n    ...BlockFields\n  }\n}": types.TipDocument,
    "query Validate {\n  validate {\n    valid\n    message\n    length\n    errorCount\n    errors {\n      index\n      reason\n      message\n    }\n  }\n}": types.ValidateDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment BlockFields on Block {\n  index\n  timestamp\n  proof\n  previousHash\n  hash\n  data\n  difficulty\n}"): typeof import('./graphql.js').BlockFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription BlockMined {\n  blockMined {\n    ...BlockFields\n  }\n}"): typeof import('./graphql.js').BlockMinedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ChainPage($last: Int!, $before: String) {\n  chain(last: $last, before: $before) {\n    totalCount\n    pageInfo {\n      hasPreviousPage\n      startCursor\n    }\n    edges {\n      cursor\n      node {\n        ...BlockFields\n      }\n    }\n  }\n}"): typeof import('./graphql.js').ChainPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation MineBlock($data: String, $idempotencyKey: String) {\n  mineBlock(data: $data, idempotencyKey: $idempotencyKey) {\n    message\n    attempts\n    durationMs\n    replayed\n    block {\n      ...BlockFields\n    }\n  }\n}"): typeof import('./graphql.js').MineBlockDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription MiningProgress {\n  miningProgress {\n    index\n    difficulty\n    attempts\n    expectedAttempts\n    hashRate\n    elapsedMs\n    state\n    block {\n      ...BlockFields\n    }\n  }\n}"): typeof import('./graphql.js').MiningProgressDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ServerInfo {\n  difficulty\n  limits {\n    dataMaxBytes\n    maxPageSize\n  }\n}"): typeof import('./graphql.js').ServerInfoDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Tip {\n  tip {\n    ...BlockFields\n  }\n}"): typeof import('./graphql.js').TipDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Validate {\n  validate {\n    valid\n    message\n    length\n    errorCount\n    errors {\n      index\n      reason\n      message\n    }\n  }\n}"): typeof import('./graphql.js').ValidateDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
