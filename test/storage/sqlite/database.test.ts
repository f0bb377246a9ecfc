import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as drizzleKit from 'drizzle-kit/api';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SQLITE_MIGRATIONS_FOLDER, openSqliteDatabase, openSqliteDatabaseForReading } from '../../../src/storage/sqlite/database.js';
import * as schema from '../../../src/storage/sqlite/schema.js';
import { tempDir } from '../../helpers/temp-database.js';

function open(path: string, options?: Parameters<typeof openSqliteDatabase>[1]) {
  const database = openSqliteDatabase(path, options);
  onTestFinished(() => database.close());
  return database;
}

describe('openSqliteDatabase', () => {
  it('creates the file and its folder, and applies every committed migration', () => {
    const path = join(tempDir(), 'nested', 'folder', 'chain.db');
    const database = open(path);
    expect(existsSync(path)).toBe(true);
    const applied = database.client.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
    const journal = JSON.parse(readFileSync(join(SQLITE_MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    expect(applied.n).toBe(journal.entries.length);
    const triggers = database.client.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").pluck().all();
    expect(triggers).toEqual(['blocks_append_at_tip', 'blocks_link_to_predecessor', 'blocks_no_delete', 'blocks_no_update']);
  });

  it('uses WAL, synchronous=FULL and a busy timeout', () => {
    const database = open(join(tempDir(), 'chain.db'), { busyTimeoutMs: 1234 });
    expect(database.client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.client.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(database.client.pragma('busy_timeout', { simple: true })).toBe(1234);
  });

  it('opens an existing database again without re-applying migrations', () => {
    const path = join(tempDir(), 'chain.db');
    open(path).close();
    const reopened = open(path);
    expect(reopened.client.prepare('SELECT count(*) AS n FROM blocks').get()).toEqual({ n: 0 });
  });

  it('opens an existing file read-only without creating, migrating or writing anything', () => {
    const missing = join(tempDir(), 'missing.db');
    expect(() => openSqliteDatabaseForReading(missing)).toThrow(expect.objectContaining({ failure: 'missing' }));
    expect(existsSync(missing)).toBe(false);

    const path = join(tempDir(), 'chain.db');
    open(path).close();
    const reader = openSqliteDatabaseForReading(path);
    onTestFinished(() => reader.close());
    expect(reader.client.readonly).toBe(true);
    expect(reader.client.prepare('SELECT count(*) AS n FROM blocks').get()).toEqual({ n: 0 });
    expect(() => reader.client.exec('CREATE TABLE unrelated (x)')).toThrow(/readonly/);
  });
});

// drizzle-kit's declarations import zod 3 types, which resolve to our zod 4 and
// come out unusable: declare the two functions this test calls.
interface Snapshot {
  readonly id: string;
}
const kit = drizzleKit as unknown as {
  generateSQLiteDrizzleJson(imports: Record<string, unknown>, previousId?: string): Promise<Snapshot>;
  generateSQLiteMigration(previous: Snapshot, current: Snapshot): Promise<string[]>;
};

describe('migrations', () => {
  it('are current: the Drizzle schema needs no new migration', async () => {
    const snapshots = readdirSync(join(SQLITE_MIGRATIONS_FOLDER, 'meta'))
      .filter((name) => name.endsWith('_snapshot.json'))
      .sort();
    const latest = JSON.parse(readFileSync(join(SQLITE_MIGRATIONS_FOLDER, 'meta', snapshots.at(-1)!), 'utf8')) as Snapshot;
    const current = await kit.generateSQLiteDrizzleJson(schema, latest.id);
    expect(await kit.generateSQLiteMigration(latest, current)).toEqual([]);
  });
});
