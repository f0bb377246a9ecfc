import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { builtFromCurrentSources, clearBuildStamp, sourcesDigest, writeBuildStamp } from '../src/shared/build-stamp.js';

const ROOT = resolve(import.meta.dirname, '..');
const TSC = resolve(ROOT, 'node_modules/typescript/bin/tsc');

/**
 * Global setup: dist/ built from the current sources, unless it already is.
 * The process tests run what `npm start` runs, dist/; in-process tests start
 * their worker threads from it (src/shared/start-worker.ts) rather than
 * through tsx. `--noCheck` emits the same JavaScript as `npm run build`
 * without type checking (typecheck does that): 4 s instead of 8.
 */
export default async function buildDist(): Promise<void> {
  const digest = sourcesDigest();
  if (builtFromCurrentSources(digest)) return;
  clearBuildStamp();
  try {
    await promisify(execFile)(process.execPath, [TSC, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: ROOT });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`building dist/ for the tests failed:\n${stdout}${stderr}`, { cause: error });
  }
  writeBuildStamp(digest);
}
