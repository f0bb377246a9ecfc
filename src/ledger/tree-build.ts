import { setTimeout as delay } from 'node:timers/promises';
import type { ChainRepository, TreeProgress } from '../storage/chain-repository.js';

/** Blocks whose tree nodes one step writes, in one transaction: a fraction of a second's work. */
const STEP_LEAVES = 10_000;
/** The pause before a failed step is tried again (the database restarting, say), in ms. */
const RETRY_MS = 1000;

export interface TreeBuild {
  /** Whether the stored tree covers the chain (it then stays so: every append extends it). */
  readonly built: () => boolean;
  /** The last progress seen, or null before the first step. */
  readonly progress: () => TreeProgress | null;
  /** Resolves once the tree covers the chain, or the build was stopped. */
  readonly done: Promise<void>;
  /** Stops building (at the end of the step under way). */
  stop(): Promise<void>;
}

export interface TreeBuildOptions {
  readonly stepLeaves?: number;
  readonly retryMs?: number;
  /** Told of each step while a chain older than the tree is being covered (not for a chain already covered). */
  readonly onProgress?: (progress: TreeProgress, elapsedMs: number) => void;
  /** Told of a failed step, which is tried again after `retryMs`. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Makes the stored Merkle tree cover the chain: at once for a chain that is
 * already covered (every chain this version created), in steps of
 * `stepLeaves` blocks for one older than the tree. Each step is its own
 * transaction, so a build stopped part way resumes where it stopped, and
 * processes building at once (instances on one PostgreSQL) take turns
 * without writing a node twice.
 */
export function buildTree(
  repository: Pick<ChainRepository, 'extendTree'>,
  { stepLeaves = STEP_LEAVES, retryMs = RETRY_MS, onProgress = () => undefined, onError = () => undefined }: TreeBuildOptions = {},
): TreeBuild {
  const stopping = new AbortController();
  let last: TreeProgress | null = null;
  let built = false;
  const started = performance.now();
  const done = (async () => {
    while (!stopping.signal.aborted) {
      try {
        const progress = await repository.extendTree(stepLeaves);
        last = progress;
        if (progress.added > 0) onProgress(progress, performance.now() - started);
        if (progress.size >= progress.length) {
          built = true;
          return;
        }
      } catch (error) {
        onError(error);
        await delay(retryMs, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  })();
  return {
    built: () => built,
    progress: () => last,
    done,
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
