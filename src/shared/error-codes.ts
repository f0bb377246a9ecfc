/**
 * Every error code a client or an operator can see, in one table: what it
 * means, and how each interface answers it. GraphQL clients read the code in
 * `extensions.code`, REST clients in `{"code"}`, the operator tool prints it
 * with `--json` and exits with the code's exit status. The GraphQL and REST
 * layers and the operator tool take their statuses from here, and
 * docs/errors.md is generated from it (`npm run docs:errors`).
 */
export interface ErrorCodeEntry {
  /** One line: when the code is given. */
  readonly meaning: string;
  /**
   * HTTP status of a GraphQL response carrying it, or null where GraphQL never
   * gives it, whether it is raised before or while the operation runs: 200
   * for the request's arguments or the chain, as the GraphQL-over-HTTP spec
   * has it; 4xx and 5xx for requests the server refuses (limits, the mining
   * gate, a busy or stopping server), so that proxies and retrying clients see
   * them (`graphqlError` in src/graphql/errors.ts puts the status on the
   * error, and yoga answers the highest). Only the spec's request errors,
   * which yoga marks (`extensions.http.spec`), are answered 200 instead to
   * clients that accept only `application/json`.
   */
  readonly graphql: number | null;
  /** Note on the GraphQL status, shown beside it in the docs. */
  readonly graphqlNote?: string;
  /** HTTP status of the notebook's REST routes (`/blocks`), or null where they never give it. */
  readonly rest: number | null;
  /** Exit status of the operator tool, or null where it never gives it. */
  readonly cli: number | readonly number[] | null;
}

/** The GraphQL-over-HTTP spec's request errors: 400 only to clients that can tell it from a transport error. */
const REQUEST_ERROR_NOTE = '200 to clients that accept only `application/json`';

const EXIT_INVALID = 1;
const EXIT_USAGE = 2;

export const ERROR_CODES = {
  // Requests refused before they reach the ledger.
  BAD_REQUEST: {
    meaning:
      'The request is not one the server can read: a Host that is not a host and port (1-65535), a target that is not a path, a body that is not JSON or not UTF-8, no query, a batched array, a mutation over GET or WebSocket.',
    graphql: 400,
    graphqlNote: '405 for other methods',
    rest: 400,
    cli: null,
  },
  REQUEST_ENTITY_TOO_LARGE: {
    meaning: 'The body is over the limit (GraphQL: 32 KiB + 6 × DATA_MAX_BYTES; POST /blocks: 1 KiB + 6 × DATA_MAX_BYTES).',
    graphql: 413,
    rest: 413,
    cli: null,
  },
  UNSUPPORTED_MEDIA_TYPE: {
    meaning: 'A body declared in a charset other than UTF-8, or POST /blocks with a body that is not `application/json`.',
    graphql: 415,
    rest: 415,
    cli: null,
  },
  METHOD_NOT_ALLOWED: {
    meaning: 'A method the route does not take (the `Allow` header lists those it does).',
    graphql: null,
    rest: 405,
    cli: null,
  },
  NOT_ACCEPTABLE: {
    meaning: 'A subscription over HTTP whose `Accept` admits no `text/event-stream`.',
    graphql: 406,
    rest: null,
    cli: null,
  },
  CSRF_PREVENTED: {
    meaning:
      "A request a browser may send cross-site unasked: a form post, a GET without `x-graphql-yoga-csrf`, another site's page mining.",
    graphql: 403,
    rest: 403,
    cli: null,
  },
  MISDIRECTED_REQUEST: {
    meaning: 'A `Host` that is not a loopback name while the server listens on loopback (DNS rebinding).',
    graphql: 421,
    rest: 421,
    cli: null,
  },
  GRAPHQL_PARSE_FAILED: {
    meaning: "The query is not GraphQL: a syntax error (yoga's code; the message gives the line and column).",
    graphql: 400,
    graphqlNote: REQUEST_ERROR_NOTE,
    rest: null,
    cli: null,
  },
  GRAPHQL_VALIDATION_FAILED: {
    meaning: "The query does not fit the schema: an unknown field, a missing argument, a literal of the wrong type (yoga's code).",
    graphql: 400,
    graphqlNote: REQUEST_ERROR_NOTE,
    rest: null,
    cli: null,
  },
  OPERATION_RESOLUTION_FAILURE: {
    meaning:
      "No operation to run: `operationName` names none the document holds, or the document holds several and names none (yoga's code).",
    graphql: 400,
    graphqlNote: REQUEST_ERROR_NOTE,
    rest: null,
    cli: null,
  },
  QUERY_TOO_COMPLEX: {
    meaning: 'Over a query limit (depth, aliases, tokens, directives, cost), or more than one `mineBlock` in an operation.',
    graphql: 400,
    rest: null,
    cli: null,
  },
  UNAUTHENTICATED: {
    meaning: 'Mining without the right `Authorization: Bearer` token while MINING_TOKEN is set.',
    graphql: 401,
    rest: 401,
    cli: null,
  },
  RATE_LIMITED: {
    meaning: 'More mines from one client than MINING_RATE_LIMIT a minute, or too many wrong tokens (`Retry-After` says when to come back).',
    graphql: 429,
    rest: 429,
    cli: null,
  },
  CONNECTION_LIMIT: {
    meaning:
      'A connection past MAX_CONNECTIONS_PER_CLIENT (or a WebSocket past MAX_WEBSOCKETS_PER_CLIENT) from one client: 429; past MAX_CONNECTIONS on the server: 503, on every route. The connection is closed after the answer.',
    graphql: 429,
    graphqlNote: '503 past MAX_CONNECTIONS',
    rest: 429,
    cli: null,
  },
  SUBSCRIPTION_LIMIT: {
    meaning: 'Subscribing with 20 subscriptions open from the same client, or 1000 on the server.',
    graphql: 200,
    graphqlNote: 'in the stream',
    rest: null,
    cli: null,
  },
  SUBSCRIBER_TOO_SLOW: {
    meaning:
      'A `blockMined` subscriber stopped reading while 1000 blocks queued up; it is ended with this error, no block skipped before it.',
    graphql: 200,
    graphqlNote: 'last event of the stream',
    rest: null,
    cli: null,
  },
  // The client's own input.
  BAD_USER_INPUT: {
    meaning:
      'An argument the server refuses: a negative index, a bad page size or cursor, `data` too long or with a NUL or a lone surrogate; `--data` the server would refuse.',
    graphql: 200,
    graphqlNote: '400 for a variable that does not fit its type',
    rest: 400,
    cli: EXIT_USAGE,
  },
  // The ledger's refusals and failures.
  CHAIN_INVALID: {
    meaning: 'Mining onto, or importing, a chain that does not validate; nothing is written.',
    graphql: 200,
    rest: 409,
    cli: EXIT_INVALID,
  },
  CHAIN_CONFLICT: {
    meaning: 'Other writers changed the database 50 times during one mine; try again.',
    graphql: 200,
    rest: 409,
    cli: EXIT_INVALID,
  },
  MINING_BUSY: {
    meaning: 'More than MINING_QUEUE_MAX mines are waiting (`Retry-After` says when to come back).',
    graphql: 503,
    rest: 503,
    cli: null,
  },
  IDEMPOTENCY_KEY_REUSED: {
    meaning:
      'The idempotency key was used before with other data: it belongs to the block that request produced, so this one is refused (use a new key for new data).',
    graphql: 422,
    rest: 422,
    cli: null,
  },
  IDEMPOTENCY_KEY_IN_PROGRESS: {
    meaning:
      'A mine with the same idempotency key is still running on this server; retry after `Retry-After` to get its block (no second block is ever mined for one key).',
    graphql: 409,
    rest: 409,
    cli: null,
  },
  HISTORY_NOT_READY: {
    meaning:
      'The Merkle tree of a chain older than it is still being built (after an upgrade; progress in the log and in `/readyz`): mining waits for it, reads are served.',
    graphql: 503,
    rest: 503,
    cli: null,
  },
  DB_BUSY: {
    meaning: 'Another process held the database write lock for more than 5 s; nothing was written.',
    graphql: 503,
    rest: 503,
    cli: EXIT_INVALID,
  },
  DB_UNAVAILABLE: {
    meaning:
      'The PostgreSQL server could not be reached, was restarting, or did not answer within the statement timeout; retry (nothing acknowledged is lost).',
    graphql: 503,
    rest: 503,
    cli: EXIT_INVALID,
  },
  DIFFICULTY_MISMATCH: {
    meaning:
      "The stored chain is mined at another difficulty than this process's DIFFICULTY; mining is refused until they agree (each mine reads the chain's again, so setting it back with `pow-ledger set-difficulty` resumes mining without a restart). Reads are served, and `/readyz` stays ready, saying why in `checks.mining`.",
    graphql: 503,
    rest: 503,
    cli: EXIT_USAGE,
  },
  STORAGE_FULL: {
    meaning: "The disk is full (the database's, or `export --out`'s); nothing was written.",
    graphql: 507,
    rest: 507,
    cli: EXIT_INVALID,
  },
  DATABASE_DAMAGED: {
    meaning: "SQLite's quick_check found the file damaged (mining is refused), a read hit a damaged page, or the file is not SQLite.",
    graphql: 503,
    rest: 503,
    cli: EXIT_USAGE,
  },
  DATABASE_READ_ONLY: {
    meaning: 'The database file cannot be written; nothing was written.',
    graphql: 503,
    rest: 503,
    cli: EXIT_INVALID,
  },
  SHUTTING_DOWN: {
    meaning: 'The server is stopping: the block was not mined, or the subscription was not opened.',
    graphql: 503,
    rest: 503,
    cli: null,
  },
  INTERNAL_SERVER_ERROR: {
    meaning: 'Anything unexpected, masked to "Unexpected error.": no stack, SQLite message or file path.',
    graphql: 200,
    graphqlNote: 'the field is null',
    rest: 500,
    cli: null,
  },
  // The operator tool's own.
  USAGE: {
    meaning: 'An unknown command or option, a missing argument, a bad number.',
    graphql: null,
    rest: null,
    cli: EXIT_USAGE,
  },
  CONFIG_INVALID: {
    meaning: 'A configuration variable with an invalid value, or MINER naming an engine that cannot run here.',
    graphql: null,
    rest: null,
    cli: EXIT_USAGE,
  },
  FILE_UNREADABLE: {
    meaning: 'A chain file that cannot be read (the message names it and the reason).',
    graphql: null,
    rest: null,
    cli: EXIT_USAGE,
  },
  CHAIN_FILE_MALFORMED: {
    meaning: 'A file that is not a chain file: bad JSON, a missing field or wrong type, no blocks, a partial export.',
    graphql: null,
    rest: null,
    cli: EXIT_USAGE,
  },
  DATABASE_MISSING: {
    meaning: 'No database at the path (a read never creates one).',
    graphql: null,
    rest: null,
    cli: EXIT_USAGE,
  },
  DATABASE_INVALID: {
    meaning: 'The path is not a file, or a SQLite database without a `blocks` table.',
    graphql: null,
    rest: null,
    cli: EXIT_USAGE,
  },
  BAD_RANGE: {
    meaning: '`export --from` past the tip.',
    graphql: null,
    rest: null,
    cli: EXIT_USAGE,
  },
  OUTPUT_UNWRITABLE: {
    meaning: '`export --out` is a directory, a device, in a missing folder, or refused by the system.',
    graphql: null,
    rest: null,
    cli: EXIT_USAGE,
  },
  DATABASE_NOT_EMPTY: {
    meaning: '`import` into a database that holds a block; nothing was written.',
    graphql: null,
    rest: null,
    cli: EXIT_INVALID,
  },
  CHAIN_CHANGED: {
    meaning: 'The chain file changed while it was imported; nothing was imported.',
    graphql: null,
    rest: null,
    cli: EXIT_INVALID,
  },
  STORAGE_FAILED: {
    meaning: "Another database failure; the message gives SQLite's code.",
    graphql: null,
    rest: null,
    cli: EXIT_INVALID,
  },
  OUTPUT_FAILED: {
    meaning: 'Another failure writing `export --out`; no file was written.',
    graphql: null,
    rest: null,
    cli: EXIT_INVALID,
  },
  INTERRUPTED: {
    meaning: 'Ctrl-C (130) or SIGTERM (143) stopped the command; what it was writing is rolled back.',
    graphql: null,
    rest: null,
    cli: [130, 143],
  },
  INTERNAL: {
    meaning: 'A bug in the operator tool: "Unexpected error" and its message.',
    graphql: null,
    rest: null,
    cli: EXIT_INVALID,
  },
} as const satisfies Readonly<Record<string, ErrorCodeEntry>>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The HTTP status of a GraphQL response carrying `code`; 200 where the table has none. */
export function graphqlStatus(code: ErrorCode): number {
  return ERROR_CODES[code].graphql ?? 200;
}

/** The HTTP status of a REST answer carrying `code`; 500 for a code REST never gives (a bug). */
export function restStatus(code: ErrorCode): number {
  return ERROR_CODES[code].rest ?? 500;
}

/** The operator tool's exit status for `code` (the first, for INTERRUPTED: SIGINT's); 1 for a code the tool never gives. */
export function cliExitCode(code: ErrorCode): number {
  const exit: number | readonly number[] | null = ERROR_CODES[code].cli;
  if (exit === null) return EXIT_INVALID;
  return typeof exit === 'number' ? exit : (exit[0] ?? EXIT_INVALID);
}
