import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { notebookChainJsonChunks } from '../../src/core/notebook-chain-json.js';
import { DISK_CHAIN_FILES } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import { toNotebookBlockJson } from '../../src/core/notebook-format.js';
import { openSqliteDatabase } from '../../src/storage/sqlite/database.js';
import { NOTEBOOK_BLOCKS } from '../fixtures/notebook-chain.js';
import { buildChain } from '../helpers/chains.js';
import { runCli, storedBlocks } from '../helpers/cli.js';
import { bestEngine } from '../helpers/engines.js';
import { tempChainDatabase, tempDatabasePath, tempDir } from '../helpers/temp-database.js';
import type { Block } from '../../src/core/block.js';

const MINING_ENV = { DIFFICULTY: '4', MINER: bestEngine(), MINING_THREADS: '2' };

/** A database holding `chain`, written as the server would have. */
function storedChain(chain: readonly Block[]): string {
  return tempChainDatabase(chain);
}

function chainFile(blocks: readonly Block[], length = blocks.length): string {
  const path = join(tempDir(), 'chain.json');
  writeFileSync(path, [...notebookChainJsonChunks([blocks], { length })].join(''));
  return path;
}

describe('pow-ledger export, verify and import', () => {
  it('round-trips a mined chain: mine, export, verify, import into a fresh database, identical rows', async () => {
    const source = tempDatabasePath();
    expect(
      (
        await runCli(['mine', '--db', source, '--count', '2', '--data', '\ufeffhé\ufeffllo "ledger" \\ 😀\n\u0007\u2028\ufeff'], {
          env: MINING_ENV,
        })
      ).exitCode,
    ).toBe(0);
    expect((await runCli(['mine', '--db', source, '--count', '2'], { env: MINING_ENV })).exitCode).toBe(0);
    // The chain's difficulty changes only on purpose; blocks keep the difficulty each was mined at.
    const refused = await runCli(['mine', '--db', source, '--data', ''], { env: { ...MINING_ENV, DIFFICULTY: '3' } });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/DIFFICULTY_MISMATCH|mined at difficulty 4/);
    expect((await runCli(['set-difficulty', '3', '--db', source])).stdout).toBe(
      `The chain in ${source} is now mined at difficulty 3 (it was 4). Servers and \`mine\` need DIFFICULTY=3 to mine onto it.\n`,
    );
    expect((await runCli(['mine', '--db', source, '--data', ''], { env: { ...MINING_ENV, DIFFICULTY: '3' } })).exitCode).toBe(0);

    const file = join(tempDir(), 'export.json');
    const exported = await runCli(['export', '--db', source, '--out', file]);
    expect(exported.exitCode).toBe(0);
    expect(exported.stdout).toBe(`Exported 6 block(s), 0 to 5, of a 6-block chain to ${file}.\n`);

    const verified = await runCli(['verify', file, '--json']);
    expect(verified.exitCode).toBe(0);
    expect(verified.json()).toMatchObject({ valid: true, length: 6 });

    const target = tempDatabasePath();
    const imported = await runCli(['import', file, '--db', target, '--json']);
    expect(imported.exitCode).toBe(0);
    const original = storedBlocks(source);
    expect(imported.json()).toEqual({ imported: true, file, database: target, length: 6, tipHash: original[5]!.hash });
    expect(storedBlocks(target)).toEqual(original);
    expect(original.map((block) => [block.data, block.difficulty])).toEqual([
      [null, 4],
      ['\ufeffhé\ufeffllo "ledger" \\ 😀\n\u0007\u2028\ufeff', 4],
      ['\ufeffhé\ufeffllo "ledger" \\ 😀\n\u0007\u2028\ufeff', 4],
      [null, 4],
      [null, 4],
      ['', 3],
    ]);
    expect((await runCli(['validate', '--db', target])).exitCode).toBe(0);
  });

  it('round-trips data from the whole code space: mine, export, verify, import, identical rows', async () => {
    const oddCharacter = fc.constantFrom('\ufeff', '\u2028', '\u2029', '\ufffe', '\uffff', '\u0301', '😀', '\u0001', '\u007f', '\\', '"');
    // Padding puts the odd character anywhere, the 64 KiB edges of export's pieces and the reader's chunks included.
    const data = fc
      .tuple(fc.nat({ max: 70_000 }), oddCharacter, fc.string({ unit: 'binary', maxLength: 30 }))
      .map(([padding, odd, rest]) => `${'a'.repeat(padding)}${odd}${rest.replaceAll('\u0000', '')}`);
    await fc.assert(
      fc.asyncProperty(data, async (text) => {
        const source = tempDatabasePath();
        const env = { DIFFICULTY: '1', MINER: 'js', MINING_THREADS: '1', DATA_MAX_BYTES: '1048576' };
        expect((await runCli(['mine', '--db', source, '--data', text], { env })).exitCode).toBe(0);
        const file = join(tempDir(), 'chain.json');
        expect((await runCli(['export', '--db', source, '--out', file])).exitCode).toBe(0);
        expect((await runCli(['verify', file])).exitCode).toBe(0);
        const target = tempDatabasePath();
        expect((await runCli(['import', file, '--db', target])).exitCode).toBe(0);
        const rows = storedBlocks(target);
        expect(rows).toEqual(storedBlocks(source));
        expect(rows[1]!.data).toBe(text);
      }),
      { numRuns: 12 },
    );
  });

  it('exports to stdout the same document as to a file', async () => {
    const chain = buildChain(2500);
    const path = storedChain(chain);
    const run = await runCli(['export', '--db', path]);
    expect(run.exitCode).toBe(0);
    const document = JSON.parse(run.stdout) as { blockchain: unknown[]; length: number };
    expect(document).toEqual({ blockchain: chain.map(toNotebookBlockJson), length: 2500 });
    expect(run.stdout).toBe([...notebookChainJsonChunks([chain], { length: 2500 })].join(''));
  });

  it('waits for a slow reader of stdout, holding one piece at a time', async () => {
    const chain = buildChain(3000, { dataFor: (i) => `${i} `.repeat(40) });
    const path = storedChain(chain);
    let received = '';
    let mostBuffered = 0;
    // A pipe to a reader that takes a millisecond per piece.
    const stdout = new Writable({
      highWaterMark: 16 * 1024,
      decodeStrings: false,
      write(chunk: string, _encoding, done) {
        received += chunk;
        setTimeout(done, 1);
      },
    });
    const write = stdout.write.bind(stdout);
    const io = {
      stdout: Object.assign(stdout, {
        write: (text: string) => {
          const more = write(text);
          mostBuffered = Math.max(mostBuffered, stdout.writableLength);
          return more;
        },
      }),
      stderr: { write: () => true },
      env: {},
      chainFiles: DISK_CHAIN_FILES,
      trapInterrupts: () => ({ signal: new AbortController().signal, release: () => undefined }),
    };
    expect(await runProgram(['export', '--db', path], io)).toBe(0);
    await new Promise((resolve) => stdout.end(resolve));
    expect(JSON.parse(received)).toEqual({ blockchain: chain.map(toNotebookBlockJson), length: 3000 });
    expect(received.length).toBeGreaterThan(500_000);
    // One 64 Ki piece (and the line that overflows it) waiting at most, not the whole chain.
    expect(mostBuffered).toBeLessThan(80 * 1024);
  });

  it('stops at an interrupt while waiting for a reader that never reads', async () => {
    const path = storedChain(buildChain(3000, { dataFor: (i) => `${i} `.repeat(40) }));
    const interrupt = new AbortController();
    // A pipe whose reader never takes anything: the first write already asks the writer to wait.
    const stdout = new Writable({ highWaterMark: 1024, write: () => undefined });
    const write = stdout.write.bind(stdout);
    let writes = 0;
    const io = {
      stdout: Object.assign(stdout, {
        write: (text: string) => {
          writes += 1;
          if (writes === 1) setTimeout(() => interrupt.abort('SIGINT'), 20);
          return write(text);
        },
      }),
      stderr: { write: () => true },
      env: {},
      chainFiles: DISK_CHAIN_FILES,
      trapInterrupts: () => ({ signal: interrupt.signal, release: () => undefined }),
    };
    expect(await runProgram(['export', '--db', path], io)).toBe(130);
    expect(writes).toBeLessThan(5);
  });

  it("exports a slice with --from/--limit, whose length stays the chain's: verify calls it a partial export", async () => {
    const chain = buildChain(6);
    const path = storedChain(chain);
    const file = join(tempDir(), 'slice.json');
    const run = await runCli(['export', '--db', path, '--from', '2', '--limit', '3', '--out', file]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`Exported 3 block(s), 2 to 4, of a 6-block chain to ${file}.\n`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ blockchain: chain.slice(2, 5).map(toNotebookBlockJson), length: 6 });
    const verified = await runCli(['verify', file]);
    expect(verified.exitCode).toBe(2);
    expect(verified.stderr).toMatch(/holds 3 block\(s\) but says "length": 6: it looks like a partial export/);

    const tail = JSON.parse((await runCli(['export', '--db', path, '--from', '4'])).stdout) as { blockchain: unknown[] };
    expect(tail.blockchain).toEqual(chain.slice(4).map(toNotebookBlockJson));
    const head = JSON.parse((await runCli(['export', '--db', path, '--limit', '100'])).stdout) as { blockchain: unknown[] };
    expect(head.blockchain).toHaveLength(6);
  });

  it('refuses --from past the tip (exit 2)', async () => {
    const path = storedChain(buildChain(3));
    const run = await runCli(['export', '--db', path, '--from', '3']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('--from 3 is past the tip: the chain has 3 block(s), indices 0 to 2.\n');
  });

  it('writes --out atomically: no temporary file is left, and a failed export leaves no file at all', async () => {
    const path = storedChain(buildChain(3000));
    const dir = tempDir();
    expect((await runCli(['export', '--db', path, '--out', join(dir, 'chain.json')])).exitCode).toBe(0);
    expect(readdirSync(dir)).toEqual(['chain.json']);

    const unwritable = await runCli(['export', '--db', path, '--out', join(dir, 'no-such-folder', 'chain.json')]);
    expect(unwritable.exitCode).toBe(2);
    expect(unwritable.stderr).toBe(
      `Cannot write ${join(dir, 'no-such-folder', 'chain.json')}: the folder ${join(dir, 'no-such-folder')} does not exist.\n`,
    );

    const interrupt = new AbortController();
    interrupt.abort('SIGINT');
    const stopped = await runCli(['export', '--db', path, '--out', join(dir, 'stopped.json')], { interrupt });
    expect(stopped.exitCode).toBe(130);
    expect(stopped.stderr).toBe('Interrupted (SIGINT): the export was stopped; no file was written.\n');
    expect(readdirSync(dir)).toEqual(['chain.json']);
  });

  it('refuses an --out that is a directory or in a missing folder up front (exit 2, OUTPUT_UNWRITABLE), before opening the database', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'folder'));
    const missingDatabase = join(dir, 'missing.db');
    const directory = await runCli(['export', '--db', storedChain(buildChain(3)), '--out', join(dir, 'folder')]);
    expect(directory.exitCode).toBe(2);
    expect(directory.stderr).toBe(`Cannot write ${join(dir, 'folder')}: it is a directory.\n`);
    // The output is checked first: the work of reading the chain is never done for nothing.
    const missingFolder = await runCli(['export', '--db', missingDatabase, '--out', join(dir, 'nowhere', 'deeper', 'chain.json')]);
    expect(missingFolder.exitCode).toBe(2);
    expect(missingFolder.stderr).toBe(
      `Cannot write ${join(dir, 'nowhere', 'deeper', 'chain.json')}: the folder ${join(dir, 'nowhere', 'deeper')} does not exist.\n`,
    );
    const inFile = await runCli(['export', '--db', missingDatabase, '--out', join(dir, 'folder', 'x.json', 'y.json')]);
    expect(inFile.exitCode).toBe(2);
    expect(inFile.stderr).toMatch(/the folder .*folder\/x\.json does not exist/);
    expect(readdirSync(dir)).toEqual(['folder']);
    expect(readdirSync(join(dir, 'folder'))).toEqual([]);
    expect(existsSync(missingDatabase)).toBe(false);
  });

  it('refuses an --out that is a device, and replaces a symbolic link with the file, leaving its target alone', async () => {
    const path = storedChain(buildChain(3));
    const device = await runCli(['export', '--db', path, '--out', '/dev/null']);
    expect(device.exitCode).toBe(2);
    expect(device.stderr).toBe('Cannot write /dev/null: it is not a regular file (a device, pipe or socket is not replaced).\n');

    const dir = tempDir();
    writeFileSync(join(dir, 'target.json'), 'old');
    symlinkSync(join(dir, 'target.json'), join(dir, 'link.json'));
    expect((await runCli(['export', '--db', path, '--out', join(dir, 'link.json')])).exitCode).toBe(0);
    expect(lstatSync(join(dir, 'link.json')).isFile()).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'link.json'), 'utf8'))).toMatchObject({ length: 3 });
    expect(readFileSync(join(dir, 'target.json'), 'utf8')).toBe('old');
  });

  it('imports into a missing database file, creating it', async () => {
    const target = join(tempDir(), 'new', 'chain.db');
    const run = await runCli(['import', chainFile(NOTEBOOK_BLOCKS), '--db', target]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`Imported 5 block(s) into ${target}; tip hash ${NOTEBOOK_BLOCKS[4]!.hash}.\n`);
    expect(storedBlocks(target)).toEqual(NOTEBOOK_BLOCKS);
  });

  it('refuses a database that holds a block (exit 1), leaving it unchanged', async () => {
    const existing = storedChain(buildChain(2));
    const before = storedBlocks(existing);
    const run = await runCli(['import', chainFile(NOTEBOOK_BLOCKS), '--db', existing]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(
      `The database ${existing} already holds 2 block(s); import loads a chain into an empty database only. Nothing was written.\n`,
    );
    expect(storedBlocks(existing)).toEqual(before);
    expect((await runCli(['import', chainFile(NOTEBOOK_BLOCKS), '--db', existing, '--json'])).json()).toMatchObject({
      error: { code: 'DATABASE_NOT_EMPTY' },
    });
  });

  it('refuses a chain that does not validate (exit 1) and writes nothing', async () => {
    const forged = chainFile(NOTEBOOK_BLOCKS.map((block) => (block.index === 1 ? { ...block, proof: 12345 } : block)));
    const target = tempDatabasePath();
    const run = await runCli(['import', forged, '--db', target]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^Chain is not valid!/);
    expect(run.stderr).toBe(`Nothing was imported: the chain in ${forged} is not valid.\n`);
    expect(existsSync(target)).toBe(false);

    const json = await runCli(['import', forged, '--db', target, '--json']);
    expect(json.json()).toMatchObject({ error: { code: 'CHAIN_INVALID' }, validation: { valid: false, problemCount: 3 } });

    // An existing empty database stays empty.
    openSqliteDatabase(target).close();
    expect((await runCli(['import', forged, '--db', target])).exitCode).toBe(1);
    expect(storedBlocks(target)).toEqual([]);
  });

  it.each([
    ['bad JSON', '{"blockchain": [', /ends in the middle of its JSON/],
    ['a missing field', '[{"index": 0, "proof": 1, "timestamp": "t"}]', /has no "previous_hash"/],
    [
      'a wrong type',
      '[{"index": 0, "previous_hash": 0, "proof": 1, "timestamp": "t"}]',
      /"previous_hash" the number 0; it must be a string/,
    ],
    ['no blocks', '[]', /bad\.json: the chain is empty/],
    ['a huge number', '[{"index": 9007199254740993, "previous_hash": "0", "proof": 1, "timestamp": "t"}]', /"index" 9007199254740993/],
  ])('refuses a file with %s (exit 2) and writes nothing', async (_, text, message) => {
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, text);
    const missing = tempDatabasePath();
    const run = await runCli(['import', file, '--db', missing]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(missing)).toBe(false);

    const empty = tempDatabasePath();
    openSqliteDatabase(empty).close();
    expect((await runCli(['import', file, '--db', empty, '--json'])).json()).toMatchObject({ error: { code: 'CHAIN_FILE_MALFORMED' } });
    expect(storedBlocks(empty)).toEqual([]);
  });
});
