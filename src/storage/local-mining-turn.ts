import type { MiningTurn } from './chain-repository.js';

const NEVER_LOST = new AbortController().signal;

/**
 * A turn that is this process's own (the ledger's mining lock already orders
 * its mines), as on SQLite, where the write lock orders other processes'
 * appends: it is never lost.
 */
export function localMiningTurn(appendAfter: MiningTurn['appendAfter']): MiningTurn {
  return { lost: NEVER_LOST, appendAfter, release: () => Promise.resolve() };
}
