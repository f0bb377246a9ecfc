/**
 * `npm run pg:demo`: a throwaway PostgreSQL cluster and a ledger server on it,
 * for trying the PostgreSQL engine without installing or configuring a
 * database. Ctrl-C stops both and removes the cluster's files. Other
 * variables (PORT, DIFFICULTY, ...) pass through to the server.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startDemoDatabase } from './demo-database.js';

const { cluster, url } = await startDemoDatabase();

// DATABASE_URL and DATABASE_PATH together are refused: the demo's database replaces any file.
const environment = { ...process.env };
delete environment['DATABASE_PATH'];
// A process group of its own: Ctrl-C reaches this script, which stops the server once (a
// second signal would make it exit at once), then removes the cluster.
const server = spawn(process.execPath, [resolve(import.meta.dirname, '../dist/main.js')], {
  stdio: 'inherit',
  env: { ...environment, DATABASE_URL: url },
  detached: true,
});
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  server.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const code = await new Promise<number>((done) => server.once('exit', (exitCode) => done(exitCode ?? 1)));
await cluster.stop();
process.exit(code);
