import { formatWithOptions } from 'node:util';

/** What the server logs through (yoga's `YogaLogger` has the same shape). */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where log lines go: a stream, and whether it is a terminal (colour only there). */
export interface LogStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface LoggerOptions {
  /** The least severe level written. */
  readonly level?: LogLevel;
  /** debug and info lines. */
  readonly stdout?: LogStream;
  /** warn and error lines. */
  readonly stderr?: LogStream;
}

const LEVELS: Readonly<Record<LogLevel, { readonly rank: number; readonly label: string; readonly colour: string }>> = {
  debug: { rank: 0, label: 'DEBUG', colour: '\x1b[35m' },
  info: { rank: 1, label: 'INFO', colour: '\x1b[36m' },
  warn: { rank: 2, label: 'WARN', colour: '\x1b[33m' },
  error: { rank: 3, label: 'ERR', colour: '\x1b[31m' },
};
const RESET = '\x1b[0m';

/**
 * Lines of `LEVEL message` on stdout (debug, info) and stderr (warn, error),
 * as yoga's own logger writes them, but coloured only when the stream is a
 * terminal: a log file or a collector gets plain text.
 */
export function createLogger({ level = 'info', stdout = process.stdout, stderr = process.stderr }: LoggerOptions = {}): Logger {
  const writer = (name: LogLevel) => {
    if (LEVELS[name].rank < LEVELS[level].rank) return () => undefined;
    const stream = LEVELS[name].rank >= LEVELS.warn.rank ? stderr : stdout;
    const colours = stream.isTTY === true;
    const { label, colour } = LEVELS[name];
    const prefix = colours ? `${colour}${label}${RESET}` : label;
    return (...args: unknown[]): void => void stream.write(`${prefix} ${formatWithOptions({ colors: colours }, ...args)}\n`);
  };
  return { debug: writer('debug'), info: writer('info'), warn: writer('warn'), error: writer('error') };
}
