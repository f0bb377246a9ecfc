import { formatWithOptions, types } from 'node:util';

/** What the server logs through (yoga's `YogaLogger` has the same shape). */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** `text`: `LEVEL message` lines for people; `json`: one JSON object a line for a log collector. */
type LogFormat = 'json' | 'text';

/** Where log lines go: a stream, and whether it is a terminal (colour only there). */
export interface LogStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

interface LoggerOptions {
  /** The least severe level written. */
  readonly level?: LogLevel;
  /** debug and info lines. */
  readonly stdout?: LogStream;
  /** warn and error lines. */
  readonly stderr?: LogStream;
  readonly format?: LogFormat;
  /**
   * Written in every JSON line (such as `{ instance: 'a-123' }`), between
   * `level` and `msg`; text lines leave them out. They may not be named
   * `time`, `level`, `msg` or `err`.
   */
  readonly fields?: Readonly<Record<string, string>>;
}

const LEVELS: Readonly<Record<LogLevel, { readonly rank: number; readonly label: string; readonly colour: string }>> = {
  debug: { rank: 0, label: 'DEBUG', colour: '\x1b[35m' },
  info: { rank: 1, label: 'INFO', colour: '\x1b[36m' },
  warn: { rank: 2, label: 'WARN', colour: '\x1b[33m' },
  error: { rank: 3, label: 'ERR', colour: '\x1b[31m' },
};
const RESET = '\x1b[0m';
const RESERVED_FIELDS = new Set(['time', 'level', 'msg', 'err']);

/** An Error as a JSON line carries it: a collector can group by type and code. */
interface SerialisedError {
  readonly type: string;
  readonly message: string;
  readonly code?: string | number;
  readonly stack?: string;
}

// isNativeError too: an Error made in another realm (vm, some worker paths) fails `instanceof`.
const isError = (value: unknown): value is Error => value instanceof Error || types.isNativeError(value);

function serialiseError(error: Error): SerialisedError {
  const { code } = error as { code?: unknown };
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(typeof error.stack === 'string' ? { stack: error.stack } : {}),
  };
}

/**
 * One JSON object for one call, so one line: JSON.stringify escapes the
 * newlines a message may hold. The first Error among the arguments becomes
 * `err`; any further ones stay in `msg`. A call with only an Error takes its
 * message as `msg`, so that no line has an empty one.
 */
function jsonLine(level: LogLevel, fields: Readonly<Record<string, string>>, args: readonly unknown[]): string {
  const errorAt = args.findIndex(isError);
  const error = errorAt === -1 ? undefined : (args[errorAt] as Error);
  const rest = errorAt === -1 ? args : args.filter((_, at) => at !== errorAt);
  const msg = rest.length === 0 && error !== undefined ? error.message : formatWithOptions({ colors: false }, ...rest);
  const line = {
    time: new Date().toISOString(),
    level,
    ...fields,
    msg,
    ...(error === undefined ? {} : { err: serialiseError(error) }),
  };
  return `${JSON.stringify(line)}\n`;
}

/**
 * Lines on stdout (debug, info) and stderr (warn, error). As text, `LEVEL
 * message` as yoga's own logger writes them, but coloured only when the
 * stream is a terminal: a log file or a collector gets plain text. As JSON,
 * one object a line with the time, the level, `fields` and the message.
 */
export function createLogger({
  level = 'info',
  stdout = process.stdout,
  stderr = process.stderr,
  format = 'text',
  fields = {},
}: LoggerOptions = {}): Logger {
  const clashes = Object.keys(fields).filter((name) => RESERVED_FIELDS.has(name));
  if (clashes.length > 0) throw new TypeError(`Log fields may not be named ${clashes.join(', ')}: each JSON line has its own.`);
  const writer = (name: LogLevel) => {
    if (LEVELS[name].rank < LEVELS[level].rank) return () => undefined;
    const stream = LEVELS[name].rank >= LEVELS.warn.rank ? stderr : stdout;
    if (format === 'json') return (...args: unknown[]): void => void stream.write(jsonLine(name, fields, args));
    const colours = stream.isTTY === true;
    const { label, colour } = LEVELS[name];
    const prefix = colours ? `${colour}${label}${RESET}` : label;
    return (...args: unknown[]): void => void stream.write(`${prefix} ${formatWithOptions({ colors: colours }, ...args)}\n`);
  };
  return { debug: writer('debug'), info: writer('info'), warn: writer('warn'), error: writer('error') };
}
