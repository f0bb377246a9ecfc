import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../src/storage/sqlite/database.js';
import { buildChain } from '../helpers/chains.js';
import { runCli } from '../helpers/cli.js';
import { tamper, tempChainDatabase, tempDatabasePath, tempDir } from '../helpers/temp-database.js';

function storedChain(length: number): string {
  return tempChainDatabase(buildChain(length));
}

describe('pow-ledger info', () => {
  it('shows length, tip, configured difficulty, and the database and its size, the WAL included', async () => {
    const path = storedChain(3);
    const tip = buildChain(3)[2]!;
    // Held open, so the WAL is not checkpointed away while info reads.
    const writer = openSqliteDatabase(path);
    try {
      writer.client.exec('CREATE TABLE unrelated (x)');
      const bytes = statSync(path).size + statSync(`${path}-wal`).size;
      const run = await runCli(['info', '--db', path], { env: { DIFFICULTY: '6' } });
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toBe(
        [
          `Database:   ${path} (${bytes} bytes)`,
          'Length:     3 blocks',
          `Tip:        block 2, hash ${tip.hash}`,
          'Difficulty: 6 (new blocks are mined at it)',
          '',
        ].join('\n'),
      );
      const json = await runCli(['info', '--json'], { env: { DATABASE_PATH: path } });
      expect(json.json()).toEqual({
        engine: 'sqlite',
        database: path,
        databasePath: path,
        databaseBytes: bytes,
        length: 3,
        tipIndex: 2,
        tipHash: tip.hash,
        difficulty: 4,
        chainDifficulty: null,
      });
    } finally {
      writer.close();
    }
  });

  it('shows an empty database as such', async () => {
    const path = tempDatabasePath();
    openSqliteDatabase(path).close();
    const run = await runCli(['info', '--db', path, '--json']);
    expect(run.json()).toMatchObject({ length: 0, tipIndex: null, tipHash: null });
  });
});

describe('pow-ledger validate', () => {
  it('reports a valid stored chain (exit 0) and a tampered one (exit 1), as the server does', async () => {
    const path = storedChain(4);
    const valid = await runCli(['validate', '--db', path]);
    expect(valid.exitCode).toBe(0);
    expect(valid.stdout).toBe(`Chain is valid. (database ${path})\nLength: 4 blocks\n`);

    tamper(path, "UPDATE blocks SET data = 'rewritten' WHERE block_index = 2");
    const invalid = await runCli(['validate', '--db', path, '--json']);
    expect(invalid.exitCode).toBe(1);
    expect(invalid.json()).toEqual({
      database: path,
      valid: false,
      message: 'Chain is not valid!',
      length: 4,
      problemCount: 1,
      problems: [{ index: 2, reason: 'HASH_MISMATCH', message: expect.stringMatching(/^Block 2 is stored with hash/) as unknown }],
    });
  });

  it('validates a long chain on worker threads with the same verdict', async () => {
    const path = storedChain(20_050);
    tamper(path, 'UPDATE blocks SET proof = proof + 1 WHERE block_index = 20000');
    const run = await runCli(['validate', '--db', path, '--json']);
    expect(run.exitCode).toBe(1);
    expect(run.json()).toMatchObject({
      length: 20_050,
      problems: [{ index: 20_000, reason: 'PROOF_INVALID' }, { index: 20_000, reason: 'HASH_MISMATCH' }, { index: 20_001 }],
    });
  });
});

describe('read commands on a database that is not there', () => {
  it.each([['info'], ['validate'], ['export']])('%s exits 2 without creating it', async (command) => {
    const path = join(tempDir(), 'missing.db');
    const run = await runCli([command, '--db', path]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(`No database at ${path} (set DATABASE_PATH or pass --db).\n`);
    expect(existsSync(path)).toBe(false);
    if (command !== 'export')
      expect((await runCli([command, '--db', path, '--json'])).json()).toEqual({
        error: { code: 'DATABASE_MISSING', message: expect.any(String) as unknown },
      });
  });

  it('exits 2 on a file that is not a ledger database', async () => {
    const text = join(tempDir(), 'notes.txt');
    writeFileSync(text, 'not a database at all, just some text that is long enough to fill a header. '.repeat(10));
    const notSqlite = await runCli(['info', '--db', text]);
    expect(notSqlite.exitCode).toBe(2);
    expect(notSqlite.stderr).toBe(`The database file ${text} is damaged, or is not a SQLite database.\n`);
    expect((await runCli(['validate', '--db', text, '--json'])).json()).toEqual({
      error: { code: 'DATABASE_DAMAGED', message: `The database file ${text} is damaged, or is not a SQLite database.` },
    });
    const mine = await runCli(['mine', '--db', text], { env: { MINER: 'js', MINING_THREADS: '1' } });
    expect(mine.exitCode).toBe(2);
    expect(mine.stderr).toBe(`The database file ${text} is damaged, or is not a SQLite database.\n`);

    const other = join(tempDir(), 'other.db');
    const connection = new Sqlite(other);
    connection.exec('CREATE TABLE notes (x)');
    connection.close();
    const run = await runCli(['validate', '--db', other]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(`${other} is a SQLite database but not a ledger's: it has no blocks table.\n`);
  });

  it('exits 2 on a bad configuration with its one-line message', async () => {
    const run = await runCli(['info', '--db', storedChain(1)], { env: { PORT: '70000' } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('Invalid configuration: PORT must be from 0 to 65535 (got "70000").\n');
  });
});
