import { expect, it } from 'vitest';
import { createPostgresChainRepository } from '../../../src/storage/postgres/chain-repository.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POSTGRES_MIGRATIONS_FOLDER, openPostgresDatabase } from '../../../src/storage/postgres/database.js';
import { describePostgresUrl } from '../../../src/storage/postgres/url.js';
import { StorageError, storageCall } from '../../../src/storage/errors.js';
import { toPostgresStorageError } from '../../../src/storage/postgres/errors.js';
import { buildChain } from '../../helpers/chains.js';
import { describeOnPostgres, freshPostgresUrl, postgresQuery } from '../../helpers/postgres.js';

describeOnPostgres('PostgreSQL database', () => {
  it('migrates a fresh database once when several processes open it at the same moment', async () => {
    const url = await freshPostgresUrl();
    const databases = await Promise.all(Array.from({ length: 4 }, () => openPostgresDatabase(url, { poolSize: 2 })));
    try {
      const applied = await postgresQuery<{ count: string }>(url, 'SELECT count(*) FROM drizzle.__drizzle_migrations');
      const shipped = (JSON.parse(readFileSync(join(POSTGRES_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] })
        .entries.length;
      expect(shipped).toBeGreaterThanOrEqual(3);
      expect(Number(applied[0]!.count)).toBe(shipped);
    } finally {
      await Promise.all(databases.map((database) => database.close()));
    }
  });

  it('writes the genesis block exactly once when several repositories initialize at once', async () => {
    const url = await freshPostgresUrl();
    const [genesis] = buildChain(1);
    const databases = await Promise.all(Array.from({ length: 4 }, () => openPostgresDatabase(url, { poolSize: 2 })));
    try {
      const written = await Promise.all(databases.map((database) => createPostgresChainRepository(database).initialize(genesis!)));
      expect(written.filter(Boolean)).toHaveLength(1);
      expect(await createPostgresChainRepository(databases[0]!).length()).toBe(1);
    } finally {
      await Promise.all(databases.map((database) => database.close()));
    }
  });

  it('refuses TRUNCATE, and appends that do not link to the tip, whoever writes', async () => {
    const url = await freshPostgresUrl();
    const database = await openPostgresDatabase(url);
    try {
      const chain = buildChain(3);
      const repository = createPostgresChainRepository(database);
      await repository.importChain(chain.slice(0, 2));
      // Plain TRUNCATE stops at the idempotency keys' foreign key; CASCADE reaches the trigger.
      await expect(postgresQuery(url, 'TRUNCATE blocks')).rejects.toThrow(/foreign key/);
      await expect(postgresQuery(url, 'TRUNCATE blocks CASCADE')).rejects.toThrow(/immutable/);
      const forged = { ...chain[2]!, previousHash: chain[0]!.hash };
      await expect(
        postgresQuery(url, 'INSERT INTO blocks VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          2,
          forged.timestamp,
          forged.proof,
          forged.previousHash,
          forged.hash,
          null,
          4,
        ]),
      ).rejects.toThrow(/previous_hash/);
      expect(await repository.length()).toBe(2);
    } finally {
      await database.close();
    }
  });

  it('says which server it could not reach, without the password, as an unavailable StorageError', async () => {
    const url = 'postgres://ledger:secret@/nowhere?host=%2Fnonexistent-socket-dir';
    expect(describePostgresUrl(url)).toBe('/nonexistent-socket-dir/nowhere');
    const failure = await openPostgresDatabase(url, { connectTimeoutMs: 2000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StorageError);
    expect((failure as StorageError).failure).toBe('unavailable');
  });
});

describeOnPostgres('PostgreSQL sessions', () => {
  it('cancel a statement that runs past the statement timeout, as an unavailable StorageError', async () => {
    const database = await openPostgresDatabase(await freshPostgresUrl(), { statementTimeoutMs: 300 });
    try {
      const failure = await storageCall(toPostgresStorageError)(() => database.pool.query('SELECT pg_sleep(5)')).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(StorageError);
      expect((failure as StorageError).failure).toBe('unavailable');
    } finally {
      await database.close();
    }
  });
});
