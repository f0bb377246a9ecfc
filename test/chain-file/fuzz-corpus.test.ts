import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpus, fuzzCase, readCase } from '../helpers/chain-file-fuzz.js';
import { tempDir } from '../helpers/temp-database.js';

describe('the chain-file fuzz target (npm run fuzz)', () => {
  const kept = corpus();

  it('has a corpus of the inputs it found', () => {
    expect(kept.length).toBeGreaterThan(0);
  });

  it.each(kept.map((input) => [input.name, input] as const))(
    'reads %s as blocks or refuses it as malformed, whatever the reads cut',
    (_name, { bytes, chunkSize }) => {
      const dir = tempDir();
      for (const size of new Set([chunkSize, 1, 3, 64 * 1024])) expect(() => readCase({ bytes, chunkSize: size }, dir)).not.toThrow();
    },
  );

  it('holds for a few hundred fresh inputs', () => {
    const dir = tempDir();
    fc.assert(
      fc.property(fuzzCase, (input) => {
        readCase(input, dir);
      }),
      { numRuns: 300, seed: 20_261_205 },
    );
  });
});
