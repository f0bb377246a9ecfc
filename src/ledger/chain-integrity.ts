import { setImmediate as nextTurn } from 'node:timers/promises';
import { createChainValidator, type ChainValidationResult } from '../core/chain-validation.js';
import type { ChainRepository } from '../storage/chain-repository.js';

export interface ChainIntegrity {
  /** Validates the whole stored chain, in batches, yielding to the event loop between them. */
  verify(): Promise<ChainValidationResult>;
  /**
   * Whether the chain may be extended. Cheap while nothing but this process has
   * written since the last full validation; otherwise validates the whole chain.
   */
  isExtendable(): Promise<boolean>;
}

const BATCH_SIZE = 1000;

/**
 * Remembers the outcome of the last full validation together with the
 * database's external change counter. This process only appends blocks it has
 * checked, so while the counter is unchanged the chain keeps the validity it
 * had; any write by another connection (a second server, a tamperer) forces a
 * full validation before the next block is mined.
 */
export function createChainIntegrity(repository: ChainRepository): ChainIntegrity {
  let lastVerified: { readonly counter: number; readonly valid: boolean } | null = null;
  let inFlight: { readonly counter: number; readonly result: Promise<ChainValidationResult> } | null = null;

  async function validateStoredChain(counter: number): Promise<ChainValidationResult> {
    const validator = createChainValidator();
    for (const batch of repository.batches(BATCH_SIZE)) {
      for (const block of batch) validator.add(block);
      await nextTurn();
    }
    const result = validator.result();
    lastVerified = { counter, valid: result.valid };
    return result;
  }

  function verify(): Promise<ChainValidationResult> {
    const counter = repository.externalChangeCounter();
    // Concurrent callers share one pass, unless someone else wrote since it began.
    if (inFlight?.counter === counter) return inFlight.result;
    const pass = { counter, result: validateStoredChain(counter) };
    inFlight = pass;
    void pass.result.finally(() => {
      if (inFlight === pass) inFlight = null;
    }).catch(() => undefined);
    return pass.result;
  }

  return {
    verify,
    async isExtendable() {
      if (lastVerified?.valid === true && lastVerified.counter === repository.externalChangeCounter()) return true;
      return (await verify()).valid;
    },
  };
}
