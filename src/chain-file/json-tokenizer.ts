import { Tokenizer } from '@streamparser/json';
import { MalformedChainError } from '../core/notebook-format.js';

/*
 * @streamparser/json's tokenizer, patched where it mis-reads a chain file or
 * reads it too slowly. The patches reach the library's private internals: the
 * package is held to the one version they were written for (a caret range on
 * 0.0.x holds one), the constructor fails loudly if something it patches is
 * missing, and test/chain-file/json-tokenizer.test.ts fails when the version moves.
 */

/** The version of @streamparser/json whose internals the patches below were written for. */
export const PATCHED_VERSION = '0.0.26';

const EXACT_INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
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
export class InexactNumber {
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

export class ChainFileTokenizer extends Tokenizer {
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
