import { closeSync, openSync } from 'node:fs';
import { TokenParserError, TokenizerError } from '@streamparser/json';
import type { Block } from '../core/block.js';
import { MalformedChainError, blockFromNotebookJson } from '../core/notebook-format.js';
import { ChainJsonParser, describeToken, exactNumbers, type ChainFileSummary } from './chain-json-parser.js';
import { STDIN_PATH, lineAndColumn, readNext, unreadable } from './file-input.js';
import { createUtf8Check } from './utf8-check.js';

interface ReadChainFileOptions {
  /** Bytes read at a time. */
  readonly chunkSize?: number;
}

const WHITESPACE = new Set([0x20, 0x0a, 0x0d, 0x09]);
const UTF8_BOM = [0xef, 0xbb, 0xbf];
/**
 * The most bytes of the file one value (a string, a number) may span. The
 * longest a chain holds is a block's data at the largest DATA_MAX_BYTES (1 MiB),
 * written with \u escapes: 6 bytes per byte of control characters. A value
 * longer than this is refused before it is held in memory.
 */
export const MAX_VALUE_BYTES = 8 * 1024 * 1024;
const byteName = (byte: string): string => {
  const code = byte.charCodeAt(0);
  return code >= 0x20 && code < 0x7f ? JSON.stringify(byte) : `byte 0x${code.toString(16).padStart(2, '0')}`;
};

/**
 * Streams the blocks of a chain file (the notebook's `GET /blocks` body, or a bare
 * array of blocks), one at a time: the file is read 64 KiB at a time, so a
 * chain of any length never sits in memory whole. Each block is checked for
 * shape and types as it is read (`blockFromNotebookJson`), and the file as a whole
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
      for (const value of parser.takeBlocks()) yield blockFromNotebookJson(exactNumbers(value, position), position++);
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
    for (const value of parser.takeBlocks()) yield blockFromNotebookJson(exactNumbers(value, position), position++);
    return parser.summary(position);
  } finally {
    if (!stdin) closeSync(fd);
  }
}
