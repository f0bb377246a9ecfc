import { statSync } from 'node:fs';
import { startWorker } from '../../shared/start-worker.js';
import type { DatabaseCheck } from '../storage.js';
import { quickCheck } from './quick-check.js';

/**
 * Up to this many bytes (the file and its write-ahead log), quick_check runs
 * on the calling thread: it reads a 4 MiB file in about 10 ms, while starting
 * a worker thread costs 60-80 ms of CPU, most of a small server's start.
 */
const INLINE_CHECK_MAX_BYTES = 4 * 1024 * 1024;

const bytesOf = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

const verdict = (findings: readonly string[]): DatabaseCheck => ({
  ok: findings.length === 1 && findings[0] === 'ok',
  findings: findings.slice(0, 100),
});

/**
 * SQLite's `quick_check` of the whole file (B-tree structure, page and record
 * formats; not index contents), with a connection of its own. It reads every
 * page, which for a large database takes seconds that the event loop should
 * spend answering requests: past `inlineMaxBytes` it runs on a worker thread.
 * Rejects when the file cannot be opened at all.
 */
export function checkDatabaseFile(path: string, { inlineMaxBytes = INLINE_CHECK_MAX_BYTES } = {}): Promise<DatabaseCheck> {
  if (path === ':memory:' || path === '') return Promise.resolve({ ok: true, findings: ['ok'] });
  if (bytesOf(path) + bytesOf(`${path}-wal`) <= inlineMaxBytes) {
    try {
      return Promise.resolve(verdict(quickCheck(path)));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return new Promise((resolve, reject) => {
    const worker = startWorker(import.meta.url, 'quick-check-worker', { workerData: { path } });
    worker.once('message', (findings: string[]) => resolve(verdict(findings)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`quick_check worker exited with code ${code}`)));
  });
}
