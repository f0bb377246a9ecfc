import { startWorker } from '../../shared/start-worker.js';
import type { DatabaseCheck } from '../storage.js';

/**
 * SQLite's `quick_check` of the whole file (B-tree structure, page and record
 * formats; not index contents), on a worker thread with its own connection:
 * it reads every page, which for a large database takes seconds that the
 * event loop should spend answering requests.
 */
export function checkDatabaseFile(path: string): Promise<DatabaseCheck> {
  if (path === ':memory:' || path === '') return Promise.resolve({ ok: true, findings: ['ok'] });
  return new Promise((resolve, reject) => {
    const worker = startWorker(import.meta.url, 'quick-check-worker', { workerData: { path } });
    worker.once('message', (findings: string[]) =>
      resolve({ ok: findings.length === 1 && findings[0] === 'ok', findings: findings.slice(0, 100) }),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`quick_check worker exited with code ${code}`)));
  });
}
