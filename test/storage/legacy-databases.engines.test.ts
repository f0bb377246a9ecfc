import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { expect, it, onTestFinished } from 'vitest';
import { createLedger } from '../../src/ledger/ledger.js';
import { buildTree } from '../../src/ledger/tree-build.js';
import { shippedMigrations } from '../../src/storage/migrations.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { POSTGRES_MIGRATIONS_FOLDER } from '../../src/storage/postgres/database.js';
import { SQLITE_MIGRATIONS_FOLDER } from '../../src/storage/sqlite/database.js';
import { sharedProofSearch } from '../helpers/proof-search.js';
import { describeOnEngines, freshPostgresUrl, postgresQuery } from '../helpers/postgres.js';
import { tempDatabasePath } from '../helpers/temp-database.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/legacy');
const DATA = 'made before the storage folders moved';

interface AppliedMigration {
  readonly hash: string;
  readonly created_at: string | number;
}

/**
 * Opens a database made by an earlier version as the server does, checks that
 * no migration ran again, that its chain reads and validates, and that a block
 * is mined onto it.
 */
async function expectUpgraded(
  config: { databasePath: string; databaseUrl: string | null },
  applied: () => Promise<AppliedMigration[]>,
  shipped: number,
) {
  const before = await applied();
  expect(before.length).toBeGreaterThan(0);
  const storage = await openStorage({ ...config, databasePoolSize: 2, databaseStatementTimeoutMs: 10_000 });
  onTestFinished(() => storage.close());
  // The migrations it had are untouched (none ran again); those shipped since were applied once each.
  const after = await applied();
  expect(after.slice(0, before.length)).toEqual(before);
  expect(after).toHaveLength(shipped);

  const { repository } = storage;
  expect(await repository.length()).toBe(4);
  // It had no Merkle tree: it gets one, as the server builds it at start-up.
  expect(await repository.treeSize()).toBe(0);
  await buildTree(repository).done;
  expect(await repository.treeSize()).toBe(4);
  expect((await repository.blockAt(3))?.data).toBe(DATA);
  expect(await repository.storedDifficulty()).toBe(3);
  const ledger = await createLedger({ repository, proofSearch: sharedProofSearch(), difficulty: 3, dataMaxBytes: 64 });
  onTestFinished(() => ledger.close());
  expect((await ledger.validate()).valid).toBe(true);
  const { block } = await ledger.mineBlock({ data: 'mined after the move' });
  expect(block.index).toBe(4);
  expect(await repository.treeSize()).toBe(5);
  expect((await ledger.validate()).valid).toBe(true);
}

/** The applied migrations of a database made by an earlier version, and the configuration that opens it. */
async function legacyDatabase(engine: 'sqlite' | 'postgres') {
  if (engine === 'sqlite') {
    const path = tempDatabasePath();
    copyFileSync(join(FIXTURES, 'sqlite-chain.db'), path);
    const applied = () => {
      const connection = new Sqlite(path, { readonly: true });
      try {
        return Promise.resolve(
          connection.prepare('SELECT hash, created_at FROM __drizzle_migrations ORDER BY id').all() as AppliedMigration[],
        );
      } finally {
        connection.close();
      }
    };
    return { config: { databasePath: path, databaseUrl: null }, applied };
  }
  const url = await freshPostgresUrl();
  // pg_dump's psql meta-commands (\restrict) are not SQL.
  const dump = readFileSync(join(FIXTURES, 'postgres-chain.sql'), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('\\'))
    .join('\n');
  await postgresQuery(url, dump);
  const applied = () =>
    postgresQuery<AppliedMigration>(url, 'SELECT hash, created_at::text AS created_at FROM drizzle.__drizzle_migrations ORDER BY id');
  return { config: { databasePath: '', databaseUrl: url }, applied };
}

describeOnEngines('a %s database made before the storage folders moved', (engine) => {
  it('opens without re-running migrations, reads, validates and mines on', async () => {
    const { config, applied } = await legacyDatabase(engine);
    await expectUpgraded(config, applied, shippedMigrations(engine === 'sqlite' ? SQLITE_MIGRATIONS_FOLDER : POSTGRES_MIGRATIONS_FOLDER));
  });
});
