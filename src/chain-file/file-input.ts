import { readSync } from 'node:fs';

/** The chain file could not be opened or read at all (as opposed to read and found malformed). */
export class ChainFileUnreadableError extends Error {
  override readonly name = 'ChainFileUnreadableError';
}

/** The path that names standard input, as for most Unix tools. */
export const STDIN_PATH = '-';

/** How messages name the input: the path as given, or standard input. */
const describeChainFile = (path: string): string => (path === STDIN_PATH ? 'the chain file on standard input' : `the chain file ${path}`);

export function unreadable(path: string, error: unknown): ChainFileUnreadableError {
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
export function readNext(fd: number, buffer: Buffer): number {
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
export function lineAndColumn(fd: number, offset: number): { line: number; column: number } | null {
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
