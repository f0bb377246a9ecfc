import { setImmediate as nextTurn } from 'node:timers/promises';
import { createChainValidator, type ChainValidationResult } from '../core/chain-validation.js';
import type { ChainReader } from '../storage/chain-repository.js';

export interface IntegrityState {
  readonly valid: boolean;
  /** The external change counter the verdict holds for. */
  readonly changeCounter: number;
}

export interface ChainIntegrity {
  /**
   * The validation of the whole stored chain. A full pass (in batches,
   * yielding to the event loop between them) runs unless the last one still
   * holds: no other connection has written since, and this process appends
   * only blocks it has checked, so the verdict stands for the longer chain.
   */
  verify(): Promise<ChainValidationResult & IntegrityState>;
  /**
   * Whether the chain validates, and as of which change counter. Cheap while
   * nothing but this process has written since the last validation. When
   * others have written, a valid chain whose last checked block is still in
   * place only needs the blocks after it checked (other instances of a
   * cluster append; the triggers refuse anything else); otherwise validates
   * the whole chain.
   */
  current(): Promise<IntegrityState>;
  /** This process appended `block` (checked before it was): a verdict reaching the block before covers it too. */
  appended(block: { readonly index: number; readonly hash: string; readonly previousHash: string }): void;
}

const BATCH_SIZE = 1000;
/**
 * From this many blocks on, a full pass runs on worker threads: a worker costs
 * tens of ms to start, while a shorter chain is validated here in a few
 * batches of a few ms each.
 */
const OFF_THREAD_FROM = 20_000;

/**
 * Remembers the outcome of the last full validation together with the
 * database's external change counter. This process only appends blocks it has
 * checked, so while the counter is unchanged the chain keeps the validity it
 * had; any write by another connection (a second server, a tamperer) forces a
 * full validation before the next block is mined.
 */
export function createChainIntegrity(
  reader: ChainReader,
  { signal, offThreadFrom = OFF_THREAD_FROM }: { signal?: AbortSignal; offThreadFrom?: number } = {},
): ChainIntegrity {
  let lastResult: (ChainValidationResult & IntegrityState) | null = null;
  /** The last block a valid verdict covers, to extend the verdict from. */
  let checkedTip: { readonly index: number; readonly hash: string } | null = null;
  let inFlight: { readonly changeCounter: number; readonly result: Promise<ChainValidationResult & IntegrityState> } | null = null;

  async function validateHere(): Promise<ChainValidationResult> {
    const validator = createChainValidator();
    for await (const batch of reader.batches(BATCH_SIZE)) {
      for (const block of batch) validator.add(block);
      await nextTurn();
      signal?.throwIfAborted();
    }
    return validator.result();
  }

  async function validateStoredChain(changeCounter: number): Promise<ChainValidationResult & IntegrityState> {
    const offThread = (await reader.length()) >= offThreadFrom ? reader.validateOffThread({ signal }) : null;
    const result = { ...(offThread === null ? await validateHere() : await offThread), changeCounter };
    lastResult = result;
    const last = result.valid && result.length > 0 ? await reader.blockAt(result.length - 1) : null;
    checkedTip = last === null ? null : { index: last.index, hash: last.hash };
    return result;
  }

  /**
   * Checks only the blocks after `from`, which must still be in place:
   * the valid verdict, extended to them; or null when `from` is gone or
   * they do not validate (then a full pass says what is wrong).
   */
  async function extendVerdict(
    from: { readonly index: number; readonly hash: string },
    known: ChainValidationResult,
    changeCounter: number,
  ): Promise<IntegrityState | null> {
    const anchor = await reader.blockAt(from.index);
    if (anchor?.hash !== from.hash) return null;
    const validator = createChainValidator({ after: anchor });
    let last = anchor;
    for await (const batch of reader.batches(BATCH_SIZE, { from: from.index + 1 })) {
      for (const block of batch) validator.add(block);
      last = batch[batch.length - 1] ?? last;
      signal?.throwIfAborted();
    }
    if (!validator.result().valid) return null;
    lastResult = { ...known, length: last.index + 1, changeCounter };
    checkedTip = { index: last.index, hash: last.hash };
    return { valid: true, changeCounter };
  }

  async function verify(): Promise<ChainValidationResult & IntegrityState> {
    // Read before the blocks: a write landing mid-pass leaves the counter stale, forcing another pass later.
    const changeCounter = await reader.externalChangeCounter();
    if (lastResult?.changeCounter === changeCounter) {
      // Only this process's own, checked, appends since: same problems, longer chain.
      const known = lastResult;
      return { ...known, length: await reader.length() };
    }
    // Concurrent callers share one pass, unless someone else wrote since it began.
    if (inFlight?.changeCounter === changeCounter) return inFlight.result;
    const pass = { changeCounter, result: validateStoredChain(changeCounter) };
    inFlight = pass;
    const forget = (): void => {
      if (inFlight === pass) inFlight = null;
    };
    pass.result.then(forget, forget);
    return pass.result;
  }

  return {
    verify,
    async current() {
      const known = lastResult;
      const from = checkedTip;
      if (known?.valid === true && from !== null) {
        const changeCounter = await reader.externalChangeCounter();
        if (known.changeCounter === changeCounter) return { valid: true, changeCounter };
        const extended = await extendVerdict(from, known, changeCounter);
        if (extended !== null) return extended;
      }
      const { valid, changeCounter } = await verify();
      return { valid, changeCounter };
    },
    appended(block) {
      if (checkedTip !== null && checkedTip.index === block.index - 1 && checkedTip.hash === block.previousHash) {
        checkedTip = { index: block.index, hash: block.hash };
      }
    },
  };
}
