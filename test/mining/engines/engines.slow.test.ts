import { describe, expect, it } from 'vitest';
import { enginesUnderTest, smallestProof } from '../../helpers/engines.js';

// Millions of hashes per engine: the slow tier's.

describe.each(enginesUnderTest())('the %s proof engine, at higher difficulties', (_label, engine) => {
  it('finds the known difficulty 5 and 6 answers', () => {
    expect(smallestProof(engine, 1, 5)).toBe(632_238);
    // 3.35 million hashes: seconds for the JavaScript engine.
    if (engine.name !== 'js') expect(smallestProof(engine, 1, 6)).toBe(3_353_945);
  });
});
