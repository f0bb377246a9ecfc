import { parentPort, workerData } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';

/** Runs `PRAGMA quick_check` on its own read-only connection, off the main thread. */
const { path } = workerData as { path: string };
const connection = new Sqlite(path, { readonly: true, fileMustExist: true });
try {
  const rows = connection.pragma('quick_check') as Array<{ quick_check: string }>;
  parentPort?.postMessage(rows.map((row) => row.quick_check));
} catch (error) {
  parentPort?.postMessage([`quick_check could not run: ${error instanceof Error ? error.message : String(error)}`]);
} finally {
  connection.close();
}
