/**
 * The servers of bench/http-throughput.ts, one per child process:
 *
 *   node bench/http-server.mjs <kind> <database path>
 *
 * kind: `hello` (graphql-yoga's hello world), `ledger` (the server as it runs),
 * `cached` or `uncached` (the ledger's yoga server alone on a port, with its
 * block-read cache or without). Prints its URL, answers each line on stdin
 * with the process's CPU time so far (µs), and stops when stdin closes.
 *
 * Plain JavaScript on dist/ (the bench builds it first): through tsx, even
 * from dist/, each start cost about 2.7 s of CPU, for the same code.
 */
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { createSchema, createYoga } from 'graphql-yoga';
import { createApp } from '../dist/app.js';
import { loadConfig } from '../dist/config.js';
import { startServer } from '../dist/server.js';
import { createLedgerYoga } from '../dist/yoga/yoga.js';

async function listen(handler) {
  const http = createServer(handler);
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${http.address().port}/graphql`,
    close: () => new Promise((resolve) => http.close(() => resolve())),
  };
}

async function start(kind, databasePath) {
  if (kind === 'hello') {
    const yoga = createYoga({
      schema: createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'world' } } }),
      logging: false,
    });
    return listen((request, response) => void yoga(request, response));
  }
  const config = { ...loadConfig({}), port: 0, databasePath, miningRatePerMinute: 0 };
  if (kind === 'ledger') {
    const server = await startServer(config);
    return { url: server.url, close: () => server.close(100) };
  }
  const app = await createApp(config);
  const yoga = createLedgerYoga({ ledger: app.ledger, live: app.live, ...(kind === 'uncached' ? { blockResponseCache: [] } : {}) });
  const listening = await listen((request, response) => void yoga(request, response));
  return {
    url: listening.url,
    close: async () => {
      await listening.close();
      await app.close();
    },
  };
}

const [kind = '', databasePath = ''] = process.argv.slice(2);
if (!['hello', 'ledger', 'cached', 'uncached'].includes(kind)) throw new Error(`unknown server kind ${kind}`);
const { url, close } = await start(kind, databasePath);
console.log(url);
const commands = createInterface({ input: process.stdin });
commands.on('line', () => {
  const { user, system } = process.cpuUsage();
  console.log(user + system);
});
await new Promise((resolve) => commands.once('close', resolve));
await close();
