import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_NESTING, type ChainFileSummary } from '../../src/chain-file/chain-json-parser.js';
import { ChainFileUnreadableError } from '../../src/chain-file/file-input.js';
import { MAX_NUMBER_CHARS } from '../../src/chain-file/json-tokenizer.js';
import { MAX_VALUE_BYTES, readChainFile } from '../../src/chain-file/read-chain-file.js';
import { MalformedChainError } from '../../src/core/notebook-format.js';
import type { Block } from '../../src/core/block.js';
import { notebookChainJsonChunks } from '../../src/core/notebook-chain-json.js';
import { toNotebookBlockJson } from '../../src/core/notebook-format.js';
import { NOTEBOOK_BLOCKS } from '../fixtures/notebook-chain.js';
import { buildChain } from '../helpers/chains.js';
import { hasPython, runPython } from '../helpers/python.js';
import { tempDir } from '../helpers/temp-database.js';

function writeFile(text: string | Buffer, name = 'chain.json'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

/** A chain file as `export` writes it. */
const exported = (blocks: readonly Block[], length = blocks.length): string => [...notebookChainJsonChunks([blocks], { length })].join('');

function readAll(path: string, options?: { chunkSize?: number }): { blocks: Block[]; summary: ChainFileSummary } {
  const blocks: Block[] = [];
  const reading = readChainFile(path, options);
  for (;;) {
    const next = reading.next();
    if (next.done) return { blocks, summary: next.value };
    blocks.push(next.value);
  }
}

const malformed = (path: string): string => {
  try {
    readAll(path);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedChainError);
    return (error as Error).message;
  }
  throw new Error('expected a MalformedChainError');
};

const GENESIS = '{"index": 0, "previous_hash": "0", "proof": 1, "timestamp": "2018-04-11 10:00:40.317214"}';
const withBlock = (fields: string): string => `[${GENESIS}, {${fields}}]`;

describe('readChainFile', () => {
  it("reads the notebook's GET /blocks body, as the notebook printed it, with the notebook's hashes", () => {
    const body = { blockchain: NOTEBOOK_BLOCKS.map(toNotebookBlockJson), length: 5, message: 'Chain is valid.' };
    const { blocks, summary } = readAll(writeFile(JSON.stringify(body, null, 2)));
    expect(blocks).toEqual(NOTEBOOK_BLOCKS);
    expect(summary).toEqual({ form: 'object', blocks: 5, declaredLength: 5, message: 'Chain is valid.' });
  });

  it('reads a bare array of blocks, and blocks with data and difficulty', () => {
    const chain = buildChain(6, { difficulty: 2, dataFor: (i) => (i % 2 === 0 ? `payload ${i} "quoted" \\ é 😀` : null) });
    const text = `\ufeff\n  ${JSON.stringify(chain.map(toNotebookBlockJson))}\n`;
    const { blocks, summary } = readAll(writeFile(text));
    expect(blocks).toEqual(chain);
    expect(summary).toEqual({ form: 'array', blocks: 6, declaredLength: null, message: null });
  });

  it('reads what export writes, whatever the chunk boundaries cut through', () => {
    const chain = buildChain(40, { dataFor: (i) => '😀é'.repeat(i) });
    const path = writeFile(exported(chain));
    for (const chunkSize of [1, 2, 3, 7, 64, 4096]) expect(readAll(path, { chunkSize }).blocks).toEqual(chain);
  });

  it('streams: a 10,000-block file (1.6 MB, 26 reads of 64 KiB) yields blocks as it is read, and a cut one yields its whole blocks before saying so', () => {
    const chain = buildChain(10_000);
    const text = exported(chain);
    const whole = readChainFile(writeFile(text));
    expect(whole.next().value).toEqual(chain[0]);
    whole.return(undefined as never);

    // Cut in the middle: had the reader parsed the file whole first, not one block would come out.
    const cut = readChainFile(writeFile(text.slice(0, text.length / 2)));
    let read = 0;
    expect(() => {
      for (let next = cut.next(); !next.done; next = cut.next()) {
        expect(next.value.hash).toBe(chain[read]!.hash);
        read += 1;
      }
    }).toThrow(/ends in the middle of its JSON .*truncated/);
    expect(read).toBeGreaterThan(4_000);
    expect(readAll(writeFile(text)).blocks).toHaveLength(10_000);
  });

  it.each([
    ['an empty file', '', /^The file is empty/],
    ['only whitespace', '  \n\t ', /only whitespace/],
    ['a number at the top level', '42', /a JSON object .* or an array of blocks; this one starts with "4" at byte 0/],
    ['a string at the top level', '  "chain"', /starts with "\\"" at byte 2/],
    ['bad JSON', `{"blockchain": [\n  ${GENESIS},,\n]}`, /not valid JSON at byte 109 \(line 2, column 93\): unexpected ","/],
    ['a stray character', `[${GENESIS}, x]`, /not valid JSON at byte \d+ \(line 1, column \d+\): unexpected "x"/],
    ['text after the document', `[${GENESIS}] []`, /unexpected "\[" after the end of the JSON document/],
    ['a truncated file', `{"blockchain": [${GENESIS}`, /ends in the middle of its JSON \(after \d+ bytes\): it looks truncated/],
    [
      'bytes that are not UTF-8',
      Buffer.concat([Buffer.from('["'), Buffer.from([0xc3, 0x28]), Buffer.from('"]')]),
      /not valid UTF-8 text: byte 2 /,
    ],
    ['an object without "blockchain"', '{"length": 1}', /has no "blockchain"/],
    ['"blockchain" not an array', '{"blockchain": {"index": 0}, "length": 1}', /"blockchain" is an object, not an array of blocks/],
    ['"length" not a number', `{"blockchain": [${GENESIS}], "length": "1"}`, /"length" is a string; it must be a whole number/],
    ['"length" negative', `{"blockchain": [${GENESIS}], "length": -1}`, /"length" is the number -1/],
    ['"length" a fraction', `{"blockchain": [${GENESIS}], "length": 1.5}`, /"length" is the number 1.5/],
    [
      '"length" not the number of blocks',
      `{"blockchain": [${GENESIS}], "length": 3}`,
      /holds 1 block\(s\) but says "length": 3: it looks like a partial export/,
    ],
    ['no blocks (object)', '{"blockchain": [], "length": 0}', /^The chain is empty: a chain starts with its genesis block\.$/],
    ['no blocks (array)', '[]', /^The chain is empty/],
    [
      'an unknown top-level key',
      `{"blockchain": [${GENESIS}], "length": 1, "chain": []}`,
      /unknown key "chain" .*only "blockchain", "length" and "message"/,
    ],
    ['a key twice', `{"blockchain": [${GENESIS}], "blockchain": [${GENESIS}]}`, /has "blockchain" twice/],
    ['a "message" that is not a string', `{"blockchain": [${GENESIS}], "message": 1}`, /"message" is the number 1; it must be a string/],
    ['a block that is not an object', `[${GENESIS}, 7]`, /block at position 1 is the number 7, not an object/],
    ['a missing field', withBlock('"index": 1, "previous_hash": "x", "timestamp": "t"'), /block at position 1 has no "proof"/],
    [
      'an unknown block field',
      withBlock('"index": 1, "previous_hash": "x", "proof": 2, "timestamp": "t", "nonce": 3'),
      /block at position 1 has an unknown field "nonce"/,
    ],
    [
      'a proof as a string',
      withBlock('"index": 1, "previous_hash": "x", "proof": "533", "timestamp": "t"'),
      /position 1 has "proof" the string "533"/,
    ],
    [
      'a fractional proof',
      withBlock('"index": 1, "previous_hash": "x", "proof": 1.5, "timestamp": "t"'),
      /position 1 has "proof" 1\.5; it must be a whole number written without a fraction or exponent/,
    ],
    [
      'a proof written as 1.0',
      withBlock('"index": 1, "previous_hash": "x", "proof": 1.0, "timestamp": "t"'),
      /position 1 has "proof" 1\.0/,
    ],
    ['a proof of 1e400', withBlock('"index": 1, "previous_hash": "x", "proof": 1e400, "timestamp": "t"'), /position 1 has "proof" 1e400/],
    [
      'a proof past 2^53',
      withBlock('"index": 1, "previous_hash": "x", "proof": 9007199254740993, "timestamp": "t"'),
      /position 1 has "proof" 9007199254740993; .* to 9007199254740991/,
    ],
    [
      'a negative index',
      withBlock('"index": -1, "previous_hash": "x", "proof": 2, "timestamp": "t"'),
      /position 1 has "index" the number -1; it must be a whole number from 0/,
    ],
    [
      'a difficulty of 0',
      withBlock('"index": 1, "previous_hash": "x", "proof": 2, "timestamp": "t", "difficulty": 0'),
      /position 1 has "difficulty" the number 0/,
    ],
    [
      'a timestamp that is a number',
      withBlock('"index": 1, "previous_hash": "x", "proof": 2, "timestamp": 1.5'),
      /position 1 has "timestamp" the number 1\.5; it must be a string/,
    ],
    [
      'a lone surrogate escape',
      withBlock('"index": 1, "previous_hash": "x", "proof": 2, "timestamp": "t", "data": "a\\ud800b"'),
      /position 1 has "data" with a lone surrogate/,
    ],
    [
      'a NUL character',
      withBlock('"index": 1, "previous_hash": "x", "proof": 2, "timestamp": "t", "data": "a\\u0000b"'),
      /position 1 has "data" with a NUL character/,
    ],
  ])('refuses %s with a message saying what is wrong', (_, text, message) => {
    expect(malformed(writeFile(text))).toMatch(message);
  });

  it('reports the first problem in the file: a bad block before bad JSON further in the same chunk', () => {
    const text = `[${GENESIS}, {"index": 1}, ${'x'.repeat(10)}]`;
    expect(malformed(writeFile(text))).toMatch(/block at position 1 has no "proof"/);
  });

  it('accepts a pair of surrogate escapes (one character) and -0', () => {
    const { blocks } = readAll(
      writeFile(withBlock('"index": 1, "previous_hash": "x", "proof": -0, "timestamp": "t", "data": "\\ud83d\\ude00"')),
    );
    expect(blocks[1]).toMatchObject({ data: '😀', proof: 0 });
  });

  it('says which file it cannot read, and why', () => {
    const missing = join(tempDir(), 'missing.json');
    expect(() => readAll(missing)).toThrow(ChainFileUnreadableError);
    expect(() => readAll(missing)).toThrow(`Cannot read the chain file ${missing}: no such file or directory (ENOENT).`);
    expect(() => readAll(tempDir())).toThrow(/illegal operation on a directory \(EISDIR\)/);
  });

  it('keeps every character of a string, U+FEFF included, wherever the chunks cut it', () => {
    const { blocks } = readAll(writeFile(exported(buildChain(3, { dataFor: (i) => ['a\ufeffb', '\ufeff\ufeff'][i - 1]! }))), {
      chunkSize: 3,
    });
    expect(blocks.map((block) => block.data)).toEqual([null, 'a\ufeffb', '\ufeff\ufeff']);
    // Raw (unescaped) UTF-8 in the file too, as another writer may send it.
    const raw = `[${GENESIS}, {"data": "\ufeffx\ufeff", "index": 1, "previous_hash": "p", "proof": 1, "timestamp": "t"}]`;
    for (const chunkSize of [1, 2, 3, 4, 5, 64]) expect(readAll(writeFile(raw), { chunkSize }).blocks[1]?.data).toBe('\ufeffx\ufeff');
  });

  it('round-trips strings from the whole code space, odd characters at chunk edges, and hashes them as Python does', () => {
    const dir = tempDir();
    const odd = fc.constantFrom(
      '\ufeff',
      '\u2028',
      '\u2029',
      '\ufffe',
      '\uffff',
      '\ufdd0',
      '\u0301',
      '\u{1f600}',
      '\u{10ffff}',
      '\u007f',
      '\u0001',
      '"',
      '\\',
    );
    const character = fc.oneof(odd, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    const payload = fc
      .array(character, { maxLength: 300 })
      .map((characters) => characters.join('').replaceAll('\u0000', ''))
      .filter((text) => !/\p{Surrogate}/u.test(text)); // no lone surrogates: the server refuses them
    const checked: Block[] = [];
    fc.assert(
      fc.property(fc.array(payload, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 70 }), (data, chunkSize) => {
        const chain = buildChain(data.length + 1, { dataFor: (i) => data[i - 1]! });
        const path = join(dir, 'code-space.json');
        writeFileSync(path, exported(chain));
        expect(readAll(path, { chunkSize }).blocks).toEqual(chain);
        checked.push(...chain.slice(1));
      }),
      { numRuns: 150 },
    );
    if (!hasPython) return console.warn('NOTICE: no python3 here; hashes not compared with json.dumps(sort_keys=True).');
    // Python hashes each block's fields as the notebook does; ours must be the same.
    const script = [
      'import sys, json, hashlib',
      'for line in sys.stdin:',
      '    block = json.loads(line)',
      '    print(hashlib.sha256(json.dumps(block, sort_keys=True).encode()).hexdigest())',
    ].join('\n');
    const lines = checked.map((block) => JSON.stringify(toNotebookBlockJson(block))).join('\n') + '\n';
    expect(runPython(script, lines).trim().split('\n')).toEqual(checked.map((block) => block.hash));
  });

  it('refuses a file nested deeper than a chain file, at once and in bounded memory', () => {
    const deep = writeFile('['.repeat(20_000_000));
    expect(malformed(deep)).toBe(
      `The file nests deeper than a chain file does (${MAX_NESTING} levels) at byte ${MAX_NESTING}: it is not a chain file.`,
    );
    expect(malformed(writeFile('{"blockchain": [[[[]]]]}'))).toMatch(/nests deeper than a chain file does/);
    // A block field of the wrong type is still named as such, one level below the limit.
    expect(malformed(writeFile(withBlock('"data": {"a": 1}, "index": 1, "previous_hash": "p", "proof": 1, "timestamp": "t"')))).toMatch(
      /data/,
    );
  });

  it('refuses a value longer than any chain file holds before holding it', () => {
    const long = writeFile(`[${GENESIS}, {"data": "${'x'.repeat(MAX_VALUE_BYTES + 1024 * 1024)}"}]`);
    expect(malformed(long)).toMatch(new RegExp(`longer than ${MAX_VALUE_BYTES} bytes after byte \\d+`));
    const digits = writeFile(`[${'9'.repeat(MAX_VALUE_BYTES + 1024 * 1024)}]`);
    expect(malformed(digits)).toBe(`The file has a number longer than ${MAX_NUMBER_CHARS} characters: no block field holds one.`);
  });

  it('names the byte that makes a character invalid when the character began in the read before', () => {
    // U+110000 and beyond do not exist: F4 90 is invalid from its second byte, here the first of a new read.
    const bytes = Buffer.concat([Buffer.from('{"blockchai'), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from('n": []}')]);
    const path = writeFile(bytes);
    expect(() => readAll(path, { chunkSize: 12 })).toThrow('The file is not valid UTF-8 text: byte 12 is not part of a UTF-8 character.');
    expect(() => readAll(path, { chunkSize: 1 })).toThrow('The file is not valid UTF-8 text: byte 12 is not part of a UTF-8 character.');
  });

  it('refuses a number longer than any block field holds as it is read, wherever the chunks cut it', () => {
    const longest = `-${Number.MAX_SAFE_INTEGER}`;
    expect(
      malformed(writeFile(withBlock(`"index": 1, "previous_hash": "p", "proof": 1e${'0'.repeat(MAX_NUMBER_CHARS)}, "timestamp": "t"`))),
    ).toMatch(/a number longer than/);
    // A long exponent, and a fraction with 64 digits, read in pieces of 3 bytes.
    const fraction = writeFile(withBlock(`"index": 1, "previous_hash": "p", "proof": 0.${'1'.repeat(MAX_NUMBER_CHARS)}, "timestamp": "t"`));
    expect(() => readAll(fraction, { chunkSize: 3 })).toThrow(/a number longer than/);
    // The longest number a block field may hold is read (whether the chain validates is for later).
    const { blocks } = readAll(writeFile(withBlock(`"index": 1, "previous_hash": "p", "proof": ${longest}, "timestamp": "t"`)), {
      chunkSize: 3,
    });
    expect(blocks[1]!.proof).toBe(-Number.MAX_SAFE_INTEGER);
  });

  it('round-trips any data string through export and back, escapes and non-ASCII included', () => {
    const dir = tempDir();
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'grapheme' }), { nil: null }), { minLength: 1, maxLength: 8 }), (payloads) => {
        const data = payloads.map((payload) => payload?.replaceAll('\u0000', '') ?? null);
        const chain = buildChain(data.length + 1, { dataFor: (i) => data[i - 1]! });
        const path = join(dir, 'round-trip.json');
        writeFileSync(path, exported(chain));
        expect(readAll(path, { chunkSize: 5 }).blocks).toEqual(chain);
      }),
      { numRuns: 200 },
    );
  });
});
