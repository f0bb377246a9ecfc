import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { blockFromRow, type BlockRow } from '../../src/storage/block-row.js';
import { expect, it } from 'vitest';
import { bestEngine } from '../helpers/engines.js';
import { describeOnPostgres, freshPostgresUrl } from '../helpers/postgres.js';
import { runCli, storedBlocks } from '../helpers/cli.js';
import { tempDatabasePath, tempDir } from '../helpers/temp-database.js';

const MINING_ENV = { DIFFICULTY: '3', MINER: bestEngine(), MINING_THREADS: '1' };

/** Every stored row of the PostgreSQL database, as the SQLite helper reads them. */
async function postgresBlocks(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<BlockRow>('SELECT * FROM blocks ORDER BY block_index');
    return rows.map(blockFromRow);
  } finally {
    await client.end();
  }
}

describeOnPostgres('pow-ledger on PostgreSQL', () => {
  it('moves a chain both ways between the engines, with identical rows and identical chain files', async () => {
    const source = tempDatabasePath();
    const data = '\ufeffhé "ledger" \\ 😀\n\u0007\u2028';
    expect((await runCli(['mine', '--db', source, '--count', '3', '--data', data], { env: MINING_ENV })).exitCode).toBe(0);
    const dir = tempDir();
    const fromSqlite = join(dir, 'from-sqlite.json');
    expect((await runCli(['export', '--db', source, '--out', fromSqlite])).exitCode).toBe(0);

    const url = await freshPostgresUrl();
    const imported = await runCli(['import', fromSqlite, '--database-url', url, '--json']);
    expect(imported.exitCode).toBe(0);
    expect(imported.json()).toMatchObject({
      imported: true,
      length: 4,
      database: expect.stringMatching(/^PostgreSQL .*\/test_/) as string,
    });
    expect(await postgresBlocks(url)).toEqual(storedBlocks(source));
    const again = await runCli(['export', '--database-url', url]);
    expect(again.stdout).toBe(readFileSync(fromSqlite, 'utf8'));

    // Mined on PostgreSQL, then back into a new SQLite file.
    expect((await runCli(['mine', '--database-url', url, '--data', 'on postgres'], { env: MINING_ENV })).exitCode).toBe(0);
    const fromPostgres = join(dir, 'from-postgres.json');
    expect((await runCli(['export', '--database-url', url, '--out', fromPostgres])).exitCode).toBe(0);
    const target = tempDatabasePath();
    expect((await runCli(['import', fromPostgres, '--db', target])).exitCode).toBe(0);
    expect(storedBlocks(target)).toEqual(await postgresBlocks(url));

    const validated = await runCli(['validate', '--json'], { env: { DATABASE_URL: url } });
    expect(validated.exitCode).toBe(0);
    expect(validated.json()).toMatchObject({ valid: true, length: 5 });
    const info = await runCli(['info', '--json', '--database-url', url], { env: { DIFFICULTY: '3' } });
    expect(info.json()).toMatchObject({ engine: 'postgres', length: 5, databasePath: null, difficulty: 3, chainDifficulty: 3 });
    expect(JSON.stringify(info.json())).not.toContain('postgres@');
  });

  it('refuses to import into a PostgreSQL database that holds blocks, and to read one that holds no ledger', async () => {
    const url = await freshPostgresUrl();
    const notALedger = await runCli(['info', '--database-url', url]);
    expect(notALedger.exitCode).toBe(2);
    expect(notALedger.stderr).toMatch(/holds no ledger/);

    expect((await runCli(['mine', '--database-url', url], { env: MINING_ENV })).exitCode).toBe(0);
    const file = join(tempDir(), 'chain.json');
    expect((await runCli(['export', '--database-url', url, '--out', file])).exitCode).toBe(0);
    const refused = await runCli(['import', file, '--database-url', url]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/already holds 2 block\(s\)/);
    expect(await postgresBlocks(url)).toHaveLength(2);
  });

  it('says, in one line, that a server cannot be reached, and refuses --db with --database-url', async () => {
    const unreachable = await runCli(['info', '--database-url', 'postgres://ledger:hunter2@/chain?host=%2Fnonexistent-ledger-socket']);
    expect(unreachable.exitCode).toBe(1);
    expect(unreachable.stderr).toMatch(/DB_UNAVAILABLE|Cannot open the PostgreSQL database \/nonexistent-ledger-socket\/chain/);
    expect(unreachable.stderr).not.toContain('hunter2');
    const both = await runCli(['info', '--db', 'x.db', '--database-url', 'postgres://localhost/chain']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toMatch(/not both/);
  });
});
