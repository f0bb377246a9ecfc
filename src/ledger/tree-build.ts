import { setTimeout as delay } from 'node:timers/promises';
import type { ChainRepository, TreeProgress } from '../storage/chain-repository.js';

/** Blocks whose tree nodes one step writes, in one transaction: a fraction of a second's work. */
const STEP_LEAVES = 10_000;
/** The pause before a failed step is tried again (the database restarting, say), in ms; doubled after each failure in a row. */
const RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;

export interface TreeBuild {
  /** Whether the stored tree covers the chain (it then stays so: every append extends it). */
  readonly built: () => boolean;
  /** The last progress seen, or null before the first step. */
  readonly progress: () => TreeProgress | null;
  /** Resolves once the tree covers the chain, or the build was stopped. */
  readonly done: Promise<void>;
  /** Resolves after the first step, failed or not: a chain already covered is known to be so by then. */
  readonly firstStep: Promise<void>;
  /** Stops building (at the end of the step under way). */
  stop(): Promise<void>;
}

export interface TreeBuildOptions {
  readonly stepLeaves?: number;
  readonly retryMs?: number;
  /** Told of each step while a chain older than the tree is being covered (not for a chain already covered). */
  readonly onProgress?: (progress: TreeProgress, elapsedMs: number) => void;
  /** Told of a failed step, which is tried again after a pause (failures in a row with the same message are told once). */
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
  let stepped = (): void => undefined;
  const firstStep = new Promise<void>((resolve) => (stepped = resolve));
  const done = (async () => {
    let pauseMs = retryMs;
    let lastError: string | null = null;
    while (!stopping.signal.aborted) {
      try {
        const progress = await repository.extendTree(stepLeaves).finally(stepped);
        pauseMs = retryMs;
        lastError = null;
        last = progress;
        if (progress.added > 0) onProgress(progress, performance.now() - started);
        if (progress.size >= progress.length) {
          built = true;
          return;
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastError) onError(error);
        lastError = message;
        await delay(pauseMs, undefined, { signal: stopping.signal }).catch(() => undefined);
        pauseMs = Math.min(MAX_RETRY_MS, pauseMs * 2);
      }
    }
  })();
  return {
    built: () => built,
    progress: () => last,
    done: done.finally(stepped),
    firstStep,
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
