import { closeSync, openSync, readSync } from 'node:fs';
import {
  TokenParser,
  TokenParserError,
  TokenType,
  Tokenizer,
  TokenizerError,
  type ParsedElementInfo,
  type ParsedTokenInfo,
} from '@streamparser/json';
import type { Block } from '../core/block.js';
import { MalformedChainError, blockFromSeedJson } from '../core/seed-format.js';

export { MalformedChainError };

/** The chain file could not be opened or read at all (as opposed to read and found malformed). */
export class ChainFileUnreadableError extends Error {
  override readonly name = 'ChainFileUnreadableError';
}

/** What the file said about itself, once every block was read. */
export interface ChainFileSummary {
  /** `object`: the seed's `{"blockchain": [...], "length": N}`; `array`: a bare array of blocks. */
  readonly form: 'object' | 'array';
  readonly blocks: number;
  /** The object form's `length`, or `null` when the file has none. */
  readonly declaredLength: number | null;
  /** The object form's `message` (the seed's verdict when it served the file), or `null`. */
  readonly message: string | null;
}

export interface ReadChainFileOptions {
  /** Bytes read at a time. */
  readonly chunkSize?: number;
}

const TOP_LEVEL_KEYS = new Set(['blockchain', 'length', 'message']);
/** Integer fields of a block, which must be written as integers to hash as the seed's Python does. */
const INTEGER_FIELDS = new Set(['index', 'proof', 'difficulty']);
const EXACT_INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const WHITESPACE = new Set([0x20, 0x0a, 0x0d, 0x09]);
const UTF8_BOM = [0xef, 0xbb, 0xbf];
/**
 * How deep a chain file nests: its object, the blockchain array, a block, and
 * one level more, so that a block field holding an object or array is still
 * reported as a wrong type. Deeper is refused at once: the token parser keeps a
 * frame per level, and a file of nothing but "[" would exhaust memory.
 */
export const MAX_NESTING = 4;
/**
 * The most bytes of the file one value (a string, a number) may span. The
 * longest a chain holds is a block's data at the largest DATA_MAX_BYTES (1 MiB),
 * written with \u escapes: 6 bytes per byte of control characters. A value
 * longer than this is refused before it is held in memory.
 */
export const MAX_VALUE_BYTES = 8 * 1024 * 1024;
/**
 * The longest number a chain file may hold. The largest a block field takes
 * (2^53 - 1, negative) has 17 characters; anything longer is refused as it is
 * read, since the tokenizer holds a number one character per array element
 * (an 8 MiB number took 200 MB).
 */
export const MAX_NUMBER_CHARS = 64;
/** \uXXXX escapes gathered before they become a string (see ChainFileTokenizer). */
const ESCAPE_RUN = 4096;

/**
 * A JSON number that no block field can hold exactly: a fraction, an exponent,
 * or beyond 2^53. Python reads `1.0` as a float and hashes it as `1.0`, and
 * a double rounds 9007199254740993 to its neighbour, so either would silently
 * change the block's hash; the literal is kept to say what was written.
 */
class InexactNumber {
  constructor(readonly literal: string) {}
}

/** What the library's tokenizer holds internally: its string and number builders (each decodes its pieces with `decoder`), and how it reads `\uXXXX`. */
interface TokenBuilders {
  bufferedString?: {
    decoder?: TextDecoder;
    pending?: string[];
    appendChar?: unknown;
    appendBuf?: unknown;
    appendCharCode?: unknown;
    toString?: unknown;
    reset?: () => void;
  };
  escapedCharsByteLength?: number;
  appendUnicodeCodeUnit?: (code: number) => void;
  bufferedNumber?: { decoder?: TextDecoder; byteLength?: number; appendChar?: (char: number) => void };
}

class ChainFileTokenizer extends Tokenizer {
  constructor() {
    super();
    // The library decodes each piece of a string with a separate TextDecoder
    // call, and a decoder that does not ignore byte order marks drops a U+FEFF
    // at the start of every piece: "a\uFEFFb" read as "ab", and the block's
    // hash no longer matched. No option sets this, so the decoders are replaced;
    // if a new version renames them, this fails loudly rather than mis-reading.
    const builders = this as unknown as TokenBuilders;
    for (const builder of [builders.bufferedString, builders.bufferedNumber]) {
      if (builder?.decoder === undefined) throw new Error('@streamparser/json changed: its string builders have no decoder to replace.');
      builder.decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    }
    // The library turns each \uXXXX escape into a string, encodes it to UTF-8
    // and decodes it back, and keeps one array element per escape: 1.5 µs an
    // escape and garbage by the megabyte, so a block whose 1 MiB of data is
    // control characters (6 MiB of escapes) took 1.5 s to read. Escapes are
    // gathered here as code units instead, turned into a string a run at a
    // time; a surrogate pair of escapes makes the same character, a lone one
    // stays as JSON.parse keeps it. The offsets stay right: an escape is six
    // bytes of the file.
    const strings = builders.bufferedString!;
    const { pending } = strings;
    if (!Array.isArray(pending) || builders.escapedCharsByteLength === undefined || builders.appendUnicodeCodeUnit === undefined) {
      throw new Error('@streamparser/json changed: its tokenizer no longer reads \\u escapes as this reader expects.');
    }
    const run = new Uint16Array(ESCAPE_RUN);
    let runLength = 0;
    const flush = (): void => {
      if (runLength === 0) return;
      strings.pending!.push(String.fromCharCode(...run.subarray(0, runLength)));
      runLength = 0;
    };
    for (const method of ['appendChar', 'appendBuf', 'appendCharCode', 'toString'] as const) {
      const original = strings[method] as ((...args: unknown[]) => unknown) | undefined;
      if (typeof original !== 'function') throw new Error(`@streamparser/json changed: its string builder has no ${method}.`);
      (strings as Record<string, unknown>)[method] = (...args: unknown[]) => {
        flush();
        return original.apply(strings, args);
      };
    }
    const reset = strings.reset;
    if (typeof reset !== 'function') throw new Error('@streamparser/json changed: its string builder has no reset.');
    strings.reset = () => {
      runLength = 0;
      reset.call(strings);
    };
    builders.appendUnicodeCodeUnit = (code) => {
      if (runLength === ESCAPE_RUN) flush();
      run[runLength++] = code;
      builders.escapedCharsByteLength! += 6;
    };
    const numbers = builders.bufferedNumber!;
    const appendNumberChar = numbers.appendChar?.bind(numbers);
    if (appendNumberChar === undefined || numbers.byteLength === undefined) {
      throw new Error('@streamparser/json changed: its number builder has no appendChar and byteLength to bound.');
    }
    numbers.appendChar = (char) => {
      if (numbers.byteLength! >= MAX_NUMBER_CHARS) {
        throw new MalformedChainError(`The file has a number longer than ${MAX_NUMBER_CHARS} characters: no block field holds one.`);
      }
      appendNumberChar(char);
    };
  }

  protected override parseNumber(literal: string): number {
    const value = Number(literal);
    // -0 is Python's 0 (and SQLite's): the same block either way.
    if (EXACT_INTEGER.test(literal) && Number.isSafeInteger(value)) return value === 0 ? 0 : value;
    // The token parser only stores the value; every place that reads one checks for this class.
    return new InexactNumber(literal) as unknown as number;
  }
}

const describeToken = ({ token, value }: ParsedTokenInfo): string => {
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

/** Numbers as the seed's hashing needs them; anything else is left for `blockFromSeedJson` to name. */
function exactNumbers(value: unknown, position: number): unknown {
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

/** The path that names standard input, as for most Unix tools. */
export const STDIN_PATH = '-';

/** How messages name the input: the path as given, or standard input. */
export const describeChainFile = (path: string): string =>
  path === STDIN_PATH ? 'the chain file on standard input' : `the chain file ${path}`;

function unreadable(path: string, error: unknown): ChainFileUnreadableError {
  const { code, message } = error as { code?: unknown; message?: unknown };
  // Node's message reads "ENOENT: no such file or directory, open 'x'": keep the OS's reason, name the path once.
  const reason = typeof message === 'string' ? (/^[A-Z]+: ([^,]+)/.exec(message)?.[1] ?? message) : String(error);
  return new ChainFileUnreadableError(`Cannot read ${describeChainFile(path)}: ${reason}${typeof code === 'string' ? ` (${code})` : ''}.`, {
    cause: error,
  });
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * The next bytes of `fd`, read where the last read ended (never at an offset:
 * a pipe cannot seek). 0 at the end. A non-blocking descriptor that has no
 * data yet (stdin shared with a parent that set O_NONBLOCK) is waited for.
 */
function readNext(fd: number, buffer: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

/**
 * Line and column (1-based, in characters) of byte `offset`, found by reading
 * the file again up to it; `null` where that cannot be done (a pipe).
 */
function lineAndColumn(fd: number, offset: number): { line: number; column: number } | null {
  try {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let line = 1;
    let column = 1;
    for (let position = 0; position < offset;) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, offset - position), position);
      if (read === 0) break;
      for (let i = 0; i < read; i++) {
        const byte = buffer[i]!;
        if (byte === 0x0a) {
          line += 1;
          column = 1;
        } else if ((byte & 0xc0) !== 0x80) {
          column += 1;
        }
      }
      position += read;
    }
    return { line, column };
  } catch {
    return null;
  }
}

const byteName = (byte: string): string => {
  const code = byte.charCodeAt(0);
  return code >= 0x20 && code < 0x7f ? JSON.stringify(byte) : `byte 0x${code.toString(16).padStart(2, '0')}`;
};

/** Offset of the first byte in `bytes` that cannot be UTF-8, skipping the continuation of a character begun before it. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < bytes.length && (bytes[i]! & 0xc0) === 0x80) i += 1;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const length =
      lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    const second = bytes[i + 1] ?? 0x80;
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if (
      (lead === 0xe0 && second < 0xa0) ||
      (lead === 0xed && second > 0x9f) ||
      (lead === 0xf0 && second < 0x90) ||
      (lead === 0xf4 && second > 0x8f)
    )
      return i;
    for (let k = 1; k < length && i + k < bytes.length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return bytes.length;
}

/**
 * The tokenizer only notices bad UTF-8 inside strings, and not always (a bad
 * lead byte can swallow the closing quote): each chunk is checked by the
 * platform's decoder first, which is fast, and scanned by hand only to say where.
 */
function createUtf8Check(): { check(chunk: Uint8Array): number | null; complete(): boolean } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  /** The previous chunk's last bytes: a character it began may be what this chunk's first bytes make invalid. */
  let tail = new Uint8Array(0);
  return {
    check(chunk) {
      const joined = (): Uint8Array => {
        const bytes = new Uint8Array(tail.length + chunk.length);
        bytes.set(tail);
        bytes.set(chunk, tail.length);
        return bytes;
      };
      try {
        decoder.decode(chunk, { stream: true });
        tail = chunk.length >= 3 ? chunk.slice(-3) : joined().slice(-3);
        return null;
      } catch {
        return Math.min(Math.max(0, firstInvalidUtf8(joined()) - tail.length), chunk.length - 1);
      }
    },
    complete() {
      try {
        decoder.decode();
        return true;
      } catch {
        return false;
      }
    },
  };
}

/**
 * Streams the blocks of a chain file (the seed's `GET /blocks` body, or a bare
 * array of blocks), one at a time: the file is read 64 KiB at a time, so a
 * chain of any length never sits in memory whole. Each block is checked for
 * shape and types as it is read (`blockFromSeedJson`), and the file as a whole
 * once it ends (its `length`, at least one block); anything that is not a
 * chain file throws MalformedChainError, naming where. Whether the chain
 * validates is not checked here. The generator returns what the file said about itself.
 *
 * The file is read front to back, once, so it may be a pipe (`/dev/stdin`,
 * a FIFO); `-` reads standard input.
 */
export function* readChainFile(
  path: string,
  { chunkSize = 64 * 1024 }: ReadChainFileOptions = {},
): Generator<Block, ChainFileSummary, undefined> {
  const stdin = path === STDIN_PATH;
  let fd: number;
  try {
    fd = stdin ? 0 : openSync(path, 'r');
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const buffer = Buffer.allocUnsafe(chunkSize);
    /** File offset of the first byte fed to the parser (after leading whitespace and a byte order mark). */
    let base = 0;
    let fileOffset = 0;
    let parser: ChainJsonParser | null = null;
    let position = 0;
    const utf8 = createUtf8Check();

    /**
     * What the parser threw, as a MalformedChainError naming where. Told apart
     * by the error's class and the step that threw it, never by its message:
     * a TokenizerError while writing is a byte that cannot come next (the
     * message's position, when it has one, says which), one from the token
     * parser a value out of place; anything the parser throws at the end (the
     * library ends an unfinished document with a plain Error) a truncated file.
     */
    const syntaxError = (error: unknown, step: 'write' | 'end'): MalformedChainError => {
      if (error instanceof MalformedChainError) return error;
      if (step === 'end') {
        return new MalformedChainError(`The file ends in the middle of its JSON (after ${fileOffset} bytes): it looks truncated.`);
      }
      if (!(error instanceof TokenizerError || error instanceof TokenParserError)) throw error;
      let offset = base + (parser?.lastToken.offset ?? 0);
      let what = parser === null ? 'unexpected input' : `unexpected ${describeToken(parser.lastToken)}`;
      if (error instanceof TokenizerError) {
        const unexpected = /^Unexpected "([\s\S])" at chunk position "\d+" \(absolute position "(\d+)"\) in state (\w+)/.exec(
          error.message,
        );
        what =
          unexpected === null
            ? 'a byte that cannot come there'
            : `unexpected ${byteName(unexpected[1]!)}${unexpected[3] === 'ENDED' ? ' after the end of the JSON document' : ''}`;
        if (unexpected !== null) offset = base + Number(unexpected[2]);
      }
      // Standard input may be a file already read from elsewhere: its offsets are not this reading's.
      const where = stdin ? null : lineAndColumn(fd, offset);
      const lineColumn = where === null ? '' : ` (line ${where.line}, column ${where.column})`;
      return new MalformedChainError(`The file is not valid JSON at byte ${offset}${lineColumn}: ${what}.`);
    };

    for (;;) {
      let read: number;
      try {
        read = readNext(fd, buffer);
        // A pipe may deliver the first bytes one at a time: enough of them to tell a byte order mark.
        for (let more = read; fileOffset === 0 && more > 0 && read < UTF8_BOM.length && read < chunkSize; read += more) {
          more = readNext(fd, buffer.subarray(read));
        }
      } catch (error) {
        throw unreadable(path, error);
      }
      if (read === 0) break;
      let chunk = buffer.subarray(0, read);
      if (parser === null) {
        let start = 0;
        if (fileOffset === 0 && UTF8_BOM.every((byte, i) => chunk[i] === byte)) start = UTF8_BOM.length;
        while (start < chunk.length && WHITESPACE.has(chunk[start]!)) start += 1;
        if (start === chunk.length) {
          fileOffset += read;
          continue;
        }
        const first = chunk[start]!;
        if (first !== 0x7b /* { */ && first !== 0x5b /* [ */) {
          throw new MalformedChainError(
            `A chain file is a JSON object ({"blockchain": [...], "length": N}) or an array of blocks; ` +
              `this one starts with ${byteName(String.fromCharCode(first))} at byte ${fileOffset + start}.`,
          );
        }
        base = fileOffset + start;
        parser = new ChainJsonParser(first === 0x7b ? 'object' : 'array', base);
        chunk = chunk.subarray(start);
      }
      let failure: unknown = null;
      const invalidAt = utf8.check(chunk);
      try {
        parser.write(invalidAt === null ? chunk : chunk.subarray(0, invalidAt));
      } catch (error) {
        failure = error;
      }
      if (failure === null && invalidAt !== null) {
        failure = new MalformedChainError(
          `The file is not valid UTF-8 text: byte ${fileOffset + (read - chunk.length) + invalidAt} is not part of a UTF-8 character.`,
        );
      }
      fileOffset += read;
      if (failure === null && fileOffset - (base + parser.lastToken.offset) > MAX_VALUE_BYTES) {
        failure = new MalformedChainError(
          `The file has a value (or a run of whitespace) longer than ${MAX_VALUE_BYTES} bytes after byte ${base + parser.lastToken.offset}: ` +
            'no chain file holds one.',
        );
      }
      // Blocks read before a failure later in the chunk come first, so the first problem in the file is the one reported.
      for (const value of parser.takeBlocks()) yield blockFromSeedJson(exactNumbers(value, position), position++);
      if (failure !== null) throw syntaxError(failure, 'write');
    }

    if (parser === null) {
      throw new MalformedChainError(
        fileOffset === 0
          ? 'The file is empty: a chain file is a JSON object or array.'
          : 'The file holds only whitespace: a chain file is a JSON object or array.',
      );
    }
    try {
      parser.end();
    } catch (error) {
      throw syntaxError(error, 'end');
    }
    if (!utf8.complete()) throw new MalformedChainError('The file is not valid UTF-8 text: it ends in the middle of a character.');
    for (const value of parser.takeBlocks()) yield blockFromSeedJson(exactNumbers(value, position), position++);
    return parser.summary(position);
  } finally {
    if (!stdin) closeSync(fd);
  }
}

/**
 * The library's tokenizer and token parser, wired as its JSONParser wires
 * them (which cannot take our number parsing), plus a watch on the top-level
 * keys: which are allowed, each once, and that "blockchain" opens an array.
 */
class ChainJsonParser {
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
