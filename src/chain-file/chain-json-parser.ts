import { TokenParser, TokenType, type ParsedElementInfo, type ParsedTokenInfo } from '@streamparser/json';
import { MalformedChainError } from '../core/notebook-format.js';
import { InexactNumber } from './json-tokenizer.js';
import { ChainFileTokenizer } from './json-tokenizer.js';

/** What the file said about itself, once every block was read. */
export interface ChainFileSummary {
  /** `object`: the notebook's `{"blockchain": [...], "length": N}`; `array`: a bare array of blocks. */
  readonly form: 'object' | 'array';
  readonly blocks: number;
  /** The object form's `length`, or `null` when the file has none. */
  readonly declaredLength: number | null;
  /** The object form's `message` (the notebook's verdict when it served the file), or `null`. */
  readonly message: string | null;
}

const TOP_LEVEL_KEYS = new Set(['blockchain', 'length', 'message']);
/** Integer fields of a block, which must be written as integers to hash as the notebook's Python does. */
const INTEGER_FIELDS = new Set(['index', 'proof', 'difficulty']);
/**
 * How deep a chain file nests: its object, the blockchain array, a block, and
 * one level more, so that a block field holding an object or array is still
 * reported as a wrong type. Deeper is refused at once: the token parser keeps a
 * frame per level, and a file of nothing but "[" would exhaust memory.
 */
export const MAX_NESTING = 4;
export const describeToken = ({ token, value }: ParsedTokenInfo): string => {
  switch (token) {
    case TokenType.LEFT_BRACE:
      return 'an object';
    case TokenType.LEFT_BRACKET:
      return 'an array';
    case TokenType.STRING:
      return 'a string';
    case TokenType.NUMBER:
      return describeValue(value);
    default:
      return JSON.stringify(value) ?? String(value);
  }
};

const describeValue = (value: unknown): string => {
  if (value instanceof InexactNumber) return `the number ${value.literal}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'boolean' ? String(value) : `a ${typeof value}`;
};

/** Numbers as the notebook's hashing needs them; anything else is left for `blockFromNotebookJson` to name. */
export function exactNumbers(value: unknown, position: number): unknown {
  if (value instanceof InexactNumber)
    throw new MalformedChainError(`The block at position ${position} is the number ${value.literal}, not an object.`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const fields = value as Record<string, unknown>;
  for (const key in fields) {
    const field = fields[key];
    if (!(field instanceof InexactNumber)) continue;
    if (INTEGER_FIELDS.has(key)) {
      throw new MalformedChainError(
        `The block at position ${position} has "${key}" ${field.literal}; it must be a whole number written without a fraction or exponent, ` +
          `from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}.`,
      );
    }
    fields[key] = Number(field.literal);
  }
  return fields;
}

/**
 * The library's tokenizer and token parser, wired as its JSONParser wires
 * them (which cannot take our number parsing), plus a watch on the top-level
 * keys: which are allowed, each once, and that "blockchain" opens an array.
 */
export class ChainJsonParser {
  lastToken: ParsedTokenInfo = { token: TokenType.LEFT_BRACE, value: '{', offset: 0 };
  private readonly tokenizer = new ChainFileTokenizer();
  private readonly parser: TokenParser;
  private readonly pending: unknown[] = [];
  private declaredLength: number | null = null;
  private message: string | null = null;
  private readonly keysSeen = new Set<string>();
  private depth = 0;
  private expectingKey = false;
  private currentKey: string | null = null;
  private valueOf: string | null = null;

  constructor(
    private readonly form: 'object' | 'array',
    /** File offset of the first byte it is fed, to name positions in the file. */
    private readonly base: number,
  ) {
    this.parser = new TokenParser({ paths: form === 'object' ? ['$.blockchain.*', '$.length', '$.message'] : ['$.*'], keepStack: false });
    this.parser.onValue = (element) => this.onValue(element);
    this.tokenizer.onToken = (token) => {
      this.lastToken = token;
      this.checkNesting(token);
      this.parser.write(token);
      if (this.form === 'object') this.watchTopLevel(token);
    };
    this.tokenizer.onEnd = () => {
      if (!this.parser.isEnded) this.parser.end();
    };
    this.parser.onError = (error) => this.tokenizer.error(error);
    this.parser.onEnd = () => {
      if (!this.tokenizer.isEnded) this.tokenizer.end();
    };
  }

  write(chunk: Uint8Array): void {
    this.tokenizer.write(chunk);
  }

  end(): void {
    if (!this.tokenizer.isEnded) this.tokenizer.end();
  }

  /** The blocks parsed since the last call, in file order. */
  takeBlocks(): unknown[] {
    return this.pending.splice(0, this.pending.length);
  }

  summary(blocks: number): ChainFileSummary {
    if (this.form === 'object' && !this.keysSeen.has('blockchain')) {
      throw new MalformedChainError('The file\'s object has no "blockchain" (the array of blocks).');
    }
    if (blocks === 0) throw new MalformedChainError('The chain is empty: a chain starts with its genesis block.');
    if (this.declaredLength !== null && this.declaredLength !== blocks) {
      throw new MalformedChainError(
        `The file holds ${blocks} block(s) but says "length": ${this.declaredLength}: it looks like a partial export ` +
          `(export --from/--limit); verify and import need a whole chain.`,
      );
    }
    return { form: this.form, blocks, declaredLength: this.declaredLength, message: this.message };
  }

  private onValue({ value, key, stack }: ParsedElementInfo): void {
    const isBlock = this.form === 'array' ? stack.length === 1 : stack.length === 2;
    if (isBlock) {
      this.pending.push(value);
    } else if (key === 'length') {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        throw new MalformedChainError(
          `The file's "length" is ${describeValue(value)}; it must be a whole number from 0 (the number of blocks in the chain).`,
        );
      }
      this.declaredLength = value;
    } else if (key === 'message') {
      if (typeof value !== 'string') throw new MalformedChainError(`The file's "message" is ${describeValue(value)}; it must be a string.`);
      this.message = value;
    }
  }

  /** Runs after the token parser accepted `token`, so the structure around it is valid JSON so far. */
  private nesting = 0;

  private checkNesting({ token, offset }: ParsedTokenInfo): void {
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
      this.nesting += 1;
      if (this.nesting > MAX_NESTING) {
        throw new MalformedChainError(
          `The file nests deeper than a chain file does (${MAX_NESTING} levels) at byte ${this.base + offset}: it is not a chain file.`,
        );
      }
    } else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) {
      this.nesting -= 1;
    }
  }

  private watchTopLevel(token: ParsedTokenInfo): void {
    const offset = this.base + token.offset;
    if (this.valueOf !== null) {
      if (this.valueOf === 'blockchain' && token.token !== TokenType.LEFT_BRACKET) {
        throw new MalformedChainError(`The file's "blockchain" is ${describeToken(token)}, not an array of blocks.`);
      }
      this.valueOf = null;
    }
    if (this.expectingKey && token.token === TokenType.STRING) {
      const key = token.value as string;
      if (!TOP_LEVEL_KEYS.has(key)) {
        throw new MalformedChainError(
          `The file's object has an unknown key ${JSON.stringify(key)} (near byte ${offset}); a chain file has only "blockchain", "length" and "message".`,
        );
      }
      if (this.keysSeen.has(key)) throw new MalformedChainError(`The file's object has "${key}" twice.`);
      this.keysSeen.add(key);
      this.currentKey = key;
    } else if (token.token === TokenType.COLON && this.depth === 1) {
      this.valueOf = this.currentKey;
    }
    this.expectingKey = false;
    if (token.token === TokenType.LEFT_BRACE || token.token === TokenType.LEFT_BRACKET) this.depth += 1;
    else if (token.token === TokenType.RIGHT_BRACE || token.token === TokenType.RIGHT_BRACKET) this.depth -= 1;
    if ((token.token === TokenType.LEFT_BRACE && this.depth === 1) || (token.token === TokenType.COMMA && this.depth === 1))
      this.expectingKey = true;
  }
}
