import { parentPort, workerData } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import { validateSegment } from './chain-segment.js';
import type { SegmentReply, SegmentRequest } from './stored-chain-validation.js';

/** Validates one segment of the chain on its own read-only connection, off the main thread. */
const { path, segment, maxReportedProblems } = workerData as SegmentRequest;
let reply: SegmentReply;
try {
  const connection = new Sqlite(path, { readonly: true, fileMustExist: true });
  try {
    // The pass reads each page once: SQLite's default 2 MB cache only made the thread's memory grow (by ~17 MB).
    connection.pragma('cache_size = -256');
    reply = { result: validateSegment(connection, segment, { maxReportedProblems }) };
  } finally {
    connection.close();
  }
} catch (error) {
  const { code, message } = error as { code?: unknown; message?: unknown };
  reply = { failure: { code: typeof code === 'string' ? code : null, message: String(message ?? error) } };
}
parentPort?.postMessage(reply);
