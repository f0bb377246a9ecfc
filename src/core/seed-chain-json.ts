import type { Block } from './block.js';
import { toSeedBlockJson } from './seed-format.js';

export interface SeedChainJsonOptions {
  /** Length of the chain the blocks come from (the seed's `length`); a whole chain when it equals the number of blocks written. */
  readonly length: number;
  /** The seed's `message`, for `GET /blocks`; chain files carry none. */
  readonly message?: string;
}

/**
 * The seed's `{"blockchain": [...], "length": N, "message": ...}` as text, in
 * pieces: one block per line, so neither side holds a long chain in memory at
 * once. Keys are in the seed's (sorted) order.
 */
export function* seedChainJsonChunks(
  batches: Iterable<readonly Block[]>,
  { length, message }: SeedChainJsonOptions,
): Generator<string, void, undefined> {
  yield '{"blockchain": [';
  let separator = '\n';
  for (const batch of batches) {
    if (batch.length === 0) continue;
    yield separator + batch.map((block) => JSON.stringify(toSeedBlockJson(block))).join(',\n');
    separator = ',\n';
  }
  const messageMember = message === undefined ? '' : `, "message": ${JSON.stringify(message)}`;
  yield `\n], "length": ${length}${messageMember}}\n`;
}
