/**
 * docs/errors.md, generated from the one table of error codes in code
 * (src/shared/error-codes.ts).
 *
 *   npm run docs:errors    writes docs/errors.md
 *
 * test/docs.test.ts fails when the file is not what this writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, type ErrorCodeEntry } from '../src/shared/error-codes.js';

export const ERRORS_DOC = fileURLToPath(new URL('../docs/errors.md', import.meta.url));

const cell = (text: string): string => text.replaceAll('|', '\\|');

function graphqlCell({ graphql, graphqlNote }: ErrorCodeEntry): string {
  if (graphql === null) return '–';
  return graphqlNote === undefined ? String(graphql) : `${graphql} (${graphqlNote})`;
}

function cliCell({ cli }: ErrorCodeEntry): string {
  if (cli === null) return '–';
  return typeof cli === 'number' ? String(cli) : cli.join(' or ');
}

export function renderErrorsDoc(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, entry]: [string, ErrorCodeEntry]) =>
      `| \`${code}\` | ${cell(entry.meaning)} | ${graphqlCell(entry)} | ${entry.rest ?? '–'} | ${cliCell(entry)} |`,
  );
  return `# Error codes

<!-- Generated from src/shared/error-codes.ts by \`npm run docs:errors\`: edit the table there. -->

Every failure a client or an operator can act on carries one of these codes:
GraphQL clients read it in \`extensions.code\`, REST clients (\`/blocks\`) in
\`{"code", "message"}\`, and the operator tool prints it with \`--json\` and exits
with its status. Anything else is an internal error, masked to
"Unexpected error." with no stack, SQLite message or file path.

- **GraphQL status**: the HTTP status of a GraphQL response carrying the code.
  Errors raised while an operation runs answer the status in the table too,
  to every client: 200 for those about the request's arguments or the chain,
  as the [GraphQL-over-HTTP](https://graphql.github.io/graphql-over-http/draft/)
  spec has it, and 401, 429, 503 or 507 when the server turns the operation
  away (the mining gate, a busy, unavailable or stopping server, a full disk),
  so that proxies and retrying clients see it; the highest status when there
  are several. The spec's request errors, a document that does not parse
  (\`GRAPHQL_PARSE_FAILED\`) or validate (\`GRAPHQL_VALIDATION_FAILED\`), no query
  (\`BAD_REQUEST\`) and no operation to run (\`OPERATION_RESOLUTION_FAILURE\`),
  answer 400 to clients that accept \`application/graphql-response+json\`
  (GraphiQL, modern clients) and 200 to those that accept only
  \`application/json\` (curl's \`*/*\` counts as that). Every other refusal answers
  the status in the table, whatever the client accepts. A request whose
  \`Content-Type\` is not JSON (or a form) is answered 415, and one whose
  \`Accept\` admits no format this server speaks 406, both without a body.
- **REST status**: the status of \`POST /blocks\` and \`GET /blocks\`. An error
  in the middle of a \`GET /blocks\` stream cuts the connection instead.
- **CLI exit**: the exit status of \`pow-ledger\` (see [cli.md](cli.md)).
- \`Retry-After\` comes with \`RATE_LIMITED\`, \`MINING_BUSY\` and \`DB_BUSY\`;
  \`WWW-Authenticate: Bearer\` with \`UNAUTHENTICATED\`; \`Allow\` with
  \`METHOD_NOT_ALLOWED\`.

| Code | Meaning | GraphQL status | REST status | CLI exit |
|---|---|---|---|---|
${rows.join('\n')}
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ERRORS_DOC, renderErrorsDoc());
  console.log(`wrote ${ERRORS_DOC}`);
}
