/**
 * `npm run load -- [seconds]`: reads under load while blocks are mined, on
 * loopback, for a bounded time (default 10 s). Prints read throughput and
 * latency, errors, and checks afterwards that every mined block is stored and
 * the chain validates. Exits 1 on any error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { runLoad } from './load-harness.js';

const seconds = Number(process.argv[2] ?? 10);
if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
  console.error('usage: npm run load -- [seconds, 1-600, default 10]');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'ledger-load-'));
const server = await startServer({ ...loadConfig({}), port: 0, databasePath: join(dir, 'chain.db'), miningRatePerMinute: 0 });
try {
  const { reads, mined, mineErrors } = await runLoad({ url: server.url, seconds });
  let stored = 0;
  for (const { index, hash } of mined) if ((await server.app.ledger.blockAt(index))?.hash === hash) stored += 1;
  const validation = await server.app.ledger.validate();
  const rows: Array<[string, string]> = [
    ['duration', `${seconds} s, 10 connections reading, 1 client mining (difficulty 4)`],
    ['reads', `${reads.requests} (${reads.perSecond.toFixed(0)}/s)`],
    ['read latency p50 / p99', `${reads.p50Ms} ms / ${reads.p99Ms} ms`],
    ['read errors / non-2xx / timeouts', `${reads.errors} / ${reads.non2xx} / ${reads.timeouts}`],
    ['blocks mined', `${mined.length} (${(mined.length / seconds).toFixed(1)}/s), mine errors ${mineErrors.length}`],
    ['mined blocks stored unchanged', `${stored} of ${mined.length}`],
    ['chain after the run', `${validation.valid ? 'valid' : 'NOT VALID'}, ${validation.length} blocks`],
  ];
  for (const [name, value] of rows) console.log(`${name.padEnd(34)} ${value}`);
  const failed = reads.errors + reads.non2xx + reads.timeouts + mineErrors.length > 0 || stored !== mined.length || !validation.valid;
  if (failed) {
    console.error(mineErrors.slice(0, 5).join('\n'));
    process.exitCode = 1;
  }
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
