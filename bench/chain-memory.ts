/**
 * Peak memory of everything that reads or writes a whole chain, on chains the
 * configuration allows at their extremes and on hostile chain files: the
 * operator tool's commands (`export`, `verify`, `import`, `validate`) and the
 * server answering `GET /blocks`, each a real process of the built `dist/`,
 * its peak RSS taken from the kernel as it exits. Asserts nothing.
 *
 * Standalone: `npx tsx bench/chain-memory.ts [small chain length]`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateChain } from './chain-scale.js';
import { format, type Report } from './report.js';
import { builtFromCurrentSources } from '../src/shared/build-stamp.js';

const ROOT = resolve(import.meta.dirname, '..');
const PEAK_RSS = pathToFileURL(join(import.meta.dirname, 'peak-rss.mjs')).href;
const MIB = 1024 * 1024;

/** Control characters JSON escapes as `\u00XX` (six bytes each): NUL (which the server refuses) and the short escapes (\b \t \n \f \r) left out. */
const SIX_BYTE_ESCAPES = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1))
  .filter((char) => !'\b\t\n\f\r'.includes(char))
  .join('');
/** 1 MiB of UTF-8 (DATA_MAX_BYTES at its limit) that escapes to 6 MiB of JSON. */
const CONTROL_MIB = SIX_BYTE_ESCAPES.repeat(Math.ceil(MIB / SIX_BYTE_ESCAPES.length)).slice(0, MIB);

interface Measured {
  readonly exitCode: number | null;
  readonly peakMb: number;
  readonly seconds: number;
}

/** Runs `node dist/<script> ...args` to its end, its stdout read and thrown away; its peak RSS in MB. */
async function measure(script: string, args: readonly string[], env: Record<string, string> = {}): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-peak-'));
  const peakFile = join(dir, 'peak');
  try {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', PEAK_RSS, join('dist', script), ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', PEAK_RSS_FILE: peakFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.resume();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    const seconds = (performance.now() - started) / 1000;
    if (exitCode !== 0 && exitCode !== 1 && exitCode !== 2) throw new Error(`${script} ${args.join(' ')} exited ${exitCode}: ${stderr}`);
    return { exitCode, peakMb: Number(readFileSync(peakFile, 'utf8')) / 1024, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The server on `databasePath`, one `GET /blocks` read to its end by this process, then SIGTERM: the server's peak RSS. */
async function measureServer(databasePath: string): Promise<Measured & { readonly bytes: number; readonly complete: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-peak-'));
  const peakFile = join(dir, 'peak');
  try {
    const child = spawn(process.execPath, ['--import', PEAK_RSS, 'dist/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        PEAK_RSS_FILE: peakFile,
        DATABASE_PATH: databasePath,
        HOST: '127.0.0.1',
        PORT: '0',
        MINING_THREADS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolveUrl, reject) => {
      const check = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /Ledger server on (http:\/\/\S+)\/graphql/.exec(output);
        if (match?.[1]) resolveUrl(match[1]);
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.once('exit', () => reject(new Error(`the server exited before serving:\n${output}`)));
    });
    const started = performance.now();
    const response = await fetch(`${url}/blocks`);
    let bytes = 0;
    if (response.status !== 200) throw new Error(`GET /blocks answered ${response.status}`);
    const reader = response.body!.getReader();
    let complete = true;
    try {
      for (let read = await reader.read(); !read.done; read = await reader.read()) bytes += read.value.length;
    } catch {
      complete = false; // the server cut the body
    }
    const seconds = (performance.now() - started) / 1000;
    child.kill('SIGTERM');
    await once(child, 'exit');
    return { exitCode: 0, peakMb: Number(readFileSync(peakFile, 'utf8')) / 1024, seconds, bytes, complete };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `parts` to `path` without holding the file in memory; its size in MB. */
async function writeFile(path: string, parts: Iterable<string>): Promise<number> {
  const stream = createWriteStream(path);
  for (const part of parts) if (!stream.write(part)) await once(stream, 'drain');
  stream.end();
  await once(stream, 'finish');
  return statSync(path).size / MIB;
}

function* repeated(text: string, times: number): Generator<string> {
  for (let i = 0; i < times; i++) yield text;
}

const mb = (value: number): string => `${format(value, 0)} MB`;

async function benchChain(report: Report, dir: string, label: string, database: string): Promise<void> {
  const file = join(dir, 'exported.json');
  const outcome = ({ peakMb, seconds, exitCode }: Measured): string =>
    `${mb(peakMb)} (${format(seconds, 1)} s${exitCode === 0 ? '' : `, exit ${exitCode}`})`;
  const exported = await measure('cli/main.js', ['export', '--db', database, '--out', file]);
  const fileMb = exported.exitCode === 0 ? statSync(file).size / MIB : 0;
  report(`${label}: export --out (${exported.exitCode === 0 ? `a ${format(fileMb, 0)} MB file` : 'failed'}), peak RSS`, outcome(exported));
  report(`${label}: export to a pipe, peak RSS`, outcome(await measure('cli/main.js', ['export', '--db', database])));
  if (exported.exitCode === 0) {
    report(`${label}: verify, peak RSS`, outcome(await measure('cli/main.js', ['verify', file, '--json'])));
    report(`${label}: import, peak RSS`, outcome(await measure('cli/main.js', ['import', file, '--db', join(dir, 'imported.db')])));
    rmSync(file, { force: true });
    rmSync(join(dir, 'imported.db'), { force: true });
  }
  report(`${label}: validate, peak RSS`, outcome(await measure('cli/main.js', ['validate', '--db', database])));
  const served = await measureServer(database);
  report(
    `${label}: server answering GET /blocks (${served.complete ? `${format(served.bytes / MIB, 0)} MB` : `cut after ${served.bytes} bytes`}), peak RSS`,
    outcome(served),
  );
}

async function benchHostileFiles(report: Report, dir: string, megabytes: number): Promise<void> {
  const files = {
    [`nesting: ${megabytes} MB of "["`]: repeated('['.repeat(MIB), megabytes),
    [`one ${1.5 * megabytes} MB string`]: ['{"blockchain": [{"data": "', ...repeated('a'.repeat(MIB), 1.5 * megabytes), '"}]}'],
    [`one ${1.5 * megabytes} MB number`]: ['{"blockchain": [{"proof": ', ...repeated('9'.repeat(MIB), 1.5 * megabytes), '}]}'],
    [`${megabytes / 10}M empty objects in one array`]: ['{"blockchain": [', ...repeated('{},'.repeat(100_000), megabytes), '{}]}'],
  };
  for (const [name, parts] of Object.entries(files)) {
    const path = join(dir, 'hostile.json');
    const size = await writeFile(path, parts);
    const verified = await measure('cli/main.js', ['verify', path, '--json']);
    report(
      `hostile file, ${name} (${format(size, 0)} MB): verify, peak RSS`,
      `${mb(verified.peakMb)} (${format(verified.seconds, 2)} s, exit ${verified.exitCode})`,
    );
  }
}

export interface ChainMemoryOptions {
  /** Blocks of the chain of small blocks. */
  readonly smallLength?: number;
  /** Blocks of 1 MiB of control characters. */
  readonly largeBlocks?: number;
  /** Size of the hostile files, in MB (each is one to one and a half times this). */
  readonly hostileMegabytes?: number;
}

export async function benchChainMemory(
  report: Report,
  { smallLength = 1_000_000, largeBlocks = 100, hostileMegabytes = 20 }: ChainMemoryOptions = {},
): Promise<void> {
  // The processes measured run dist/: built from these sources, unless it already is.
  if (!builtFromCurrentSources()) execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'ledger-chain-memory-'));
  try {
    const large = join(dir, 'large-blocks.db');
    const small = join(dir, 'small-blocks.db');
    generateChain(large, largeBlocks + 1, (index) => (index === 0 ? null : CONTROL_MIB));
    generateChain(small, smallLength);
    await benchChain(report, dir, `${largeBlocks} blocks of 1 MiB of control characters`, large);
    await benchChain(report, dir, `${format(smallLength, 0)} small blocks`, small);
    await benchHostileFiles(report, dir, hostileMegabytes);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [length] = process.argv.slice(2);
  await benchChainMemory(
    (name, value) => console.log(`${name.padEnd(90)} ${value}`),
    length === undefined ? {} : { smallLength: Number(length) },
  );
}
