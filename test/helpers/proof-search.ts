import { createPoolProofSearch } from '../../src/mining/pool-proof-search.js';
import type { ProofSearch } from '../../src/mining/proof-search.js';
import { bestEngine } from './engines.js';

let shared: ProofSearch | null = null;

/**
 * One proof search, started once per test file and shared by its servers:
 * starting mining threads from the TypeScript sources (tsx in each thread)
 * costs a third of a second of CPU, more than most tests. One thread of the
 * fastest engine; tests about engines or threads make their own. Closed after
 * the file's last test (test/setup.ts).
 */
export function sharedProofSearch(): ProofSearch {
  shared ??= createPoolProofSearch({ engine: bestEngine(), threads: 1 });
  return shared;
}

export async function closeSharedProofSearch(): Promise<void> {
  const search = shared;
  shared = null;
  await search?.close();
}

/** The shared search, failing as a dead worker does while `broken` is set (not closed with the test: it is the file's). */
export function breakableProofSearch(broken = false): { readonly search: ProofSearch; setBroken(value: boolean): void } {
  const search = sharedProofSearch();
  return {
    search: {
      ...search,
      find: (previousProof, difficulty, signal) =>
        broken ? Promise.reject(new Error('the worker died')) : search.find(previousProof, difficulty, signal),
      close: () => Promise.resolve(),
    },
    setBroken(value) {
      broken = value;
    },
  };
}
