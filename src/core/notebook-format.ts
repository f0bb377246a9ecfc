import { NOTEBOOK_DIFFICULTY, sealBlock, type Block, type BlockContent } from './block.js';

/**
 * A block as the notebook's REST interface and chain files show it: snake_case
 * keys in the order Flask's `jsonify` sorts them. `data` and `difficulty`
 * appear only when the block has them, exactly as they join the hashed
 * dictionary (see `hashedFields`), so such a file hashes as the notebook's Python would.
 */
interface NotebookBlockJson {
  readonly data?: string;
  readonly difficulty?: number;
  readonly index: number;
  readonly previous_hash: string;
  readonly proof: number;
  readonly timestamp: string;
}

export const NOTEBOOK_MINED_MESSAGE = 'Congratulations, you just mined a Block!';
export const NOTEBOOK_VALID_MESSAGE = 'Chain is valid.';
export const NOTEBOOK_INVALID_MESSAGE = 'Chain is not valid!';

export function toNotebookBlockJson(block: BlockContent): NotebookBlockJson {
  return {
    ...(block.data === null ? {} : { data: block.data }),
    ...(block.difficulty === NOTEBOOK_DIFFICULTY ? {} : { difficulty: block.difficulty }),
    index: block.index,
    previous_hash: block.previousHash,
    proof: block.proof,
    timestamp: block.timestamp,
  };
}

/** A chain file, or one of its blocks, that is not a chain at all (as opposed to a chain that does not validate). */
export class MalformedChainError extends Error {
  override readonly name = 'MalformedChainError';
}

const BLOCK_KEYS = new Set(['data', 'difficulty', 'index', 'previous_hash', 'proof', 'timestamp']);
const LONE_SURROGATE = /\p{Surrogate}/u;

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
};

/**
 * Reads one block of a chain file; `position` is its place in the file's array
 * (0-based), named in every error. Checks shape and types only: whether the
 * block belongs where it is (links, proof, index sequence) is validation's job.
 * The block's hash is computed, as the notebook's files carry none.
 */
export function blockFromNotebookJson(value: unknown, position: number): Block {
  const where = `block at position ${position}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedChainError(`The ${where} is ${describe(value)}, not an object.`);
  }
  const fields = value as Record<string, unknown>;
  const unknownKey = Object.keys(fields).find((key) => !BLOCK_KEYS.has(key));
  if (unknownKey !== undefined) {
    // The notebook hashes every key a block has: one we cannot store would change the block's hash.
    throw new MalformedChainError(`The ${where} has an unknown field "${unknownKey}".`);
  }
  const integer = (key: string, { min, optional = false }: { min: number; optional?: boolean }): number | undefined => {
    const field = fields[key];
    if (field === undefined && optional) return undefined;
    if (field === undefined) throw new MalformedChainError(`The ${where} has no "${key}".`);
    if (typeof field !== 'number' || !Number.isSafeInteger(field) || field < min) {
      const range = min === Number.MIN_SAFE_INTEGER ? 'a whole number' : `a whole number from ${min}`;
      throw new MalformedChainError(`The ${where} has "${key}" ${describe(field)}; it must be ${range} up to ${Number.MAX_SAFE_INTEGER}.`);
    }
    return field;
  };
  const text = (key: string, { optional = false }: { optional?: boolean } = {}): string | null => {
    const field = fields[key];
    if (field === undefined && optional) return null;
    if (field === undefined) throw new MalformedChainError(`The ${where} has no "${key}".`);
    if (typeof field !== 'string') throw new MalformedChainError(`The ${where} has "${key}" ${describe(field)}; it must be a string.`);
    // SQLite stores UTF-8: a lone surrogate would come back as U+FFFD and change the hash.
    if (LONE_SURROGATE.test(field)) throw new MalformedChainError(`The ${where} has "${key}" with a lone surrogate (not valid Unicode).`);
    if (field.includes('\u0000')) throw new MalformedChainError(`The ${where} has "${key}" with a NUL character.`);
    return field;
  };

  // The notebook hashes every key a block has: a written-out default would be
  // hashed by Python but left out by `hashedFields`, so the two would disagree.
  if (fields['difficulty'] === NOTEBOOK_DIFFICULTY) {
    throw new MalformedChainError(
      `The ${where} has "difficulty": ${NOTEBOOK_DIFFICULTY} written out; a block at the notebook's difficulty leaves the key out (the notebook would hash it).`,
    );
  }
  if (fields['data'] === null) {
    throw new MalformedChainError(`The ${where} has "data": null; a block without data leaves the key out (the notebook would hash it).`);
  }
  const index = integer('index', { min: 0 }) as number;
  const proof = integer('proof', { min: Number.MIN_SAFE_INTEGER }) as number;
  const difficulty = integer('difficulty', { min: 1, optional: true }) ?? NOTEBOOK_DIFFICULTY;
  const previousHash = text('previous_hash') as string;
  const timestamp = text('timestamp') as string;
  const data = text('data', { optional: true });
  return sealBlock({ index, timestamp, proof, previousHash, data, difficulty });
}
