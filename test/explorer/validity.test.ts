import { describe, expect, it } from 'vitest';
import { readVerdicts, type Problem, type Validation } from '../../explorer/src/validity.js';

const validation = (length: number, errors: Problem[], errorCount = errors.length): Validation => ({
  valid: errorCount === 0,
  message: errorCount === 0 ? 'Chain is valid.' : 'Chain is not valid!',
  length,
  errors,
  errorCount,
});
const problem = (index: number, reason: Problem['reason']): Problem => ({ index, reason, message: `${reason} at ${index}` });

describe("the explorer's reading of a validation", () => {
  it('knows nothing before a validation, and nothing past the blocks it examined', () => {
    expect(readVerdicts(null).block(0).state).toBe('unchecked');
    expect(readVerdicts(null).link(1).state).toBe('unchecked');
    const verdicts = readVerdicts(validation(3, []));
    expect([0, 1, 2, 3].map((index) => verdicts.block(index).state)).toEqual(['valid', 'valid', 'valid', 'unchecked']);
    expect([1, 2, 3].map((index) => verdicts.link(index).state)).toEqual(['intact', 'intact', 'unchecked']);
  });

  it('breaks the link into an altered block, and leaves its own link intact', () => {
    const verdicts = readVerdicts(validation(5, [problem(2, 'HASH_MISMATCH')]));
    expect(verdicts.block(2)).toEqual({ state: 'invalid', problems: [problem(2, 'HASH_MISMATCH')] });
    expect(verdicts.link(3)).toEqual({ state: 'broken', reasons: ['#2 was altered after #3 linked to it'] });
    expect(verdicts.link(2).state).toBe('intact');
    expect(verdicts.block(3).state).toBe('valid');
  });

  it('breaks both links of a block whose proof was rewritten', () => {
    const verdicts = readVerdicts(validation(4, [problem(1, 'PROOF_INVALID'), problem(1, 'HASH_MISMATCH'), problem(2, 'PROOF_INVALID')]));
    expect(verdicts.link(1).reasons).toEqual(["#1's proof does not follow #0's proof"]);
    expect(verdicts.link(2).reasons).toEqual(["#2's proof does not follow #1's proof", '#1 was altered after #2 linked to it']);
    expect(verdicts.link(3).state).toBe('intact');
  });

  it('reports a wrong previous hash and a block out of place on the link itself', () => {
    const verdicts = readVerdicts(validation(4, [problem(3, 'INDEX_MISMATCH'), problem(3, 'PREVIOUS_HASH_MISMATCH')]));
    expect(verdicts.link(3).reasons).toEqual(['#3 names a previous hash that is not the hash of #2', '#3 is not the block after #2']);
    expect(verdicts.block(2).state).toBe('valid');
  });

  it('does not call a block valid beyond the last problem listed when the list was cut short', () => {
    const verdicts = readVerdicts(validation(10, [problem(2, 'HASH_MISMATCH'), problem(4, 'HASH_MISMATCH')], 7));
    expect(verdicts.block(3).state).toBe('valid');
    expect(verdicts.block(5).state).toBe('unchecked');
    expect(verdicts.link(5).state).toBe('broken');
    expect(verdicts.link(6).state).toBe('unchecked');
  });
});
