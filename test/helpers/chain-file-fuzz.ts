/**
 * The chain-file reader's fuzz target, shared by `npm run fuzz` (a time budget,
 * saving what it finds) and the suite (a fixed number of runs, and every input
 * ever found replayed from test/chain-file/fuzz-corpus/).
 *
 * The promise under test: whatever the bytes, however they are cut into reads,
 * readChainFile either reads blocks and a summary or throws a
 * MalformedChainError; never another error, never a hang, never unbounded memory.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { readChainFile } from '../../src/chain-file/read-chain-file.js';
import { MalformedChainError } from '../../src/core/notebook-format.js';
import { notebookChainJsonChunks } from '../../src/core/notebook-chain-json.js';
import { buildChain } from './chains.js';

export const CORPUS_DIR = resolve(import.meta.dirname, '../chain-file/fuzz-corpus');

export interface FuzzCase {
  readonly bytes: Uint8Array;
  /** Bytes per read of the file. */
  readonly chunkSize: number;
}

/** Pieces an attacker, or a damaged disk, puts into a chain file. */
const HOSTILE_PIECES = [
  '[',
  '{',
  '"',
  '\\',
  '\\u',
  '\\ud800',
  '\\udc00',
  '\\u0000',
  '1e999',
  '-',
  '-0',
  '0.',
  '1E+',
  '9'.repeat(40),
  '\ufeff',
  '\u2028',
  'null',
  'tru',
  ',',
  ':',
  '"blockchain":',
  '"length": -1',
  '"message": {}',
  '[[[[[[[[',
  '{"blockchain": [',
  '{"index": 0, "previous_hash": "0", "proof": 1, "timestamp": "t"}',
];
const HOSTILE_BYTES = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xef, 0xbb, 0xbf], [0x00]];

const encoder = new TextEncoder();
const CHAIN = buildChain(4, { dataFor: (i) => ['é\u2028\ufeff😀', '\u0001"\\', null, 'x'][i - 1] ?? null });
const CHAIN_TEXT = [...notebookChainJsonChunks([CHAIN], { length: CHAIN.length })].join('');

const piece: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constantFrom(...HOSTILE_PIECES).map((text) => encoder.encode(text)),
  fc.constantFrom(...HOSTILE_BYTES).map((bytes) => Uint8Array.from(bytes)),
  fc.uint8Array({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }).map((text) => encoder.encode(text)),
);

/** A valid chain file, then edited: cut short, pieces inserted, bytes overwritten. */
const editedChainFile: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.array(fc.tuple(fc.nat(), fc.nat({ max: 16 }), piece), { maxLength: 4 }), fc.option(fc.nat(), { nil: undefined }))
  .map(([edits, cut]) => {
    let bytes = encoder.encode(CHAIN_TEXT);
    for (const [at, remove, inserted] of edits) {
      const position = at % (bytes.length + 1);
      bytes = Uint8Array.from([...bytes.subarray(0, position), ...inserted, ...bytes.subarray(position + remove)]);
    }
    return cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
  });

/** Any JSON, in the chain file's wrapper or bare. */
const randomJson: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.jsonValue({ maxDepth: 5 }), fc.constantFrom('bare', 'blockchain', 'blocks'))
  .map(([value, form]) => {
    const document = form === 'bare' ? value : form === 'blockchain' ? { blockchain: value, length: 1 } : [value];
    return encoder.encode(JSON.stringify(document));
  });

/** Hostile pieces strung together, repeated up to a few thousand times (deep nesting, long tokens). */
const hostileRun: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.array(piece, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 5000 }))
  .map(([pieces, times]) => {
    const unit = Uint8Array.from(pieces.flatMap((bytes) => [...bytes]));
    const bytes = new Uint8Array(unit.length * times);
    for (let i = 0; i < times; i++) bytes.set(unit, i * unit.length);
    return bytes;
  });

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  bytes: fc.oneof(editedChainFile, randomJson, hostileRun),
  chunkSize: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.constant(64 * 1024)),
});

export type Outcome = { readonly read: number } | { readonly malformed: string };

/** Reads `bytes` as a chain file from `dir`; anything but blocks or a MalformedChainError throws. */
export function readCase({ bytes, chunkSize }: FuzzCase, dir: string): Outcome {
  const path = join(dir, 'case.json');
  writeFileSync(path, bytes);
  try {
    const reading = readChainFile(path, { chunkSize });
    let read = 0;
    while (reading.next().done !== true) read += 1;
    return { read };
  } catch (error) {
    if (error instanceof MalformedChainError) return { malformed: error.message };
    throw error;
  } finally {
    rmSync(path, { force: true });
  }
}

/** Keeps an input that broke the promise, named by its content, for the suite to replay. */
export function saveToCorpus({ bytes, chunkSize }: FuzzCase): string {
  mkdirSync(CORPUS_DIR, { recursive: true });
  const name = `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.chunk-${chunkSize}.bin`;
  writeFileSync(join(CORPUS_DIR, name), bytes);
  return join(CORPUS_DIR, name);
}

/** Every kept input, with the chunk size it was found with. */
export function corpus(): Array<{ readonly name: string } & FuzzCase> {
  let names: string[];
  try {
    names = readdirSync(CORPUS_DIR).filter((name) => name.endsWith('.bin'));
  } catch {
    return [];
  }
  return names.sort().map((name) => ({
    name,
    bytes: readFileSync(join(CORPUS_DIR, name)),
    chunkSize: Number(/\.chunk-(\d+)\.bin$/.exec(name)?.[1] ?? 65_536),
  }));
}
