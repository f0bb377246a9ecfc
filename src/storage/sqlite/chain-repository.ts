import { resolve } from 'node:path';
import { asc, desc, eq, gt, lt, and, sql } from 'drizzle-orm';
import type { Block } from '../../core/block.js';
import { decideAppend } from '../append-decision.js';
import { keysetBatches, readRange, type BlockWindow } from '../block-pages.js';
import { importChainInto, type ImportTarget } from '../chain-import.js';
import type { AppendOutcome, BlockPage, BlockRangeQuery, ChainRepository } from '../chain-repository.js';
import { storageCall } from '../errors.js';
import { localMiningTurn } from '../local-mining-turn.js';
import { isInMemory, type SqliteDatabase } from './database.js';
import { toSqliteStorageError, translateSqliteErrors } from './errors.js';
import { createPageLimit } from './page-limit.js';
import { blocks, chainState, idempotencyKeys } from './schema.js';
import { validateStoredChain } from './stored-chain-validation.js';

/** 64 MiB (negative: in KiB), while a chain is imported. */
const IMPORT_CACHE_SIZE = -65_536;

/**
 * The chain in a SQLite file. Constraints and triggers refuse anything but an
 * append at the tip; every write is a `BEGIN IMMEDIATE` transaction, so
 * writers take turns and each re-reads the tip with the write lock held.
 * Statements are prepared once and run synchronously: an append's
 * transaction runs whole, with no other work of this process between its
 * statements. Reads on a file that is not writable (the read-only open) work
 * the same; its writes fail as `read-only`.
 */
export function createSqliteChainRepository(database: SqliteDatabase): ChainRepository {
  const db = database.drizzle;
  const client = database.client;
  const file = isInMemory(database.path) ? null : resolve(database.path);
  const call = storageCall(toSqliteStorageError);

  const tipStatement = db.select().from(blocks).orderBy(desc(blocks.index)).limit(1).prepare();
  const byIndexStatement = db
    .select()
    .from(blocks)
    .where(eq(blocks.index, sql.placeholder('index')))
    .prepare();
  const byHashStatement = db
    .select()
    .from(blocks)
    .where(eq(blocks.hash, sql.placeholder('hash')))
    .prepare();
  const inWindow = and(gt(blocks.index, sql.placeholder('afterIndex')), lt(blocks.index, sql.placeholder('beforeIndex')));
  const windowStatement = (order: typeof asc | typeof desc) =>
    db.select().from(blocks).where(inWindow).orderBy(order(blocks.index)).limit(sql.placeholder('limit')).prepare();
  const firstInWindow = windowStatement(asc);
  const lastInWindow = windowStatement(desc);
  const readWindow = (window: BlockWindow, order: 'ascending' | 'descending'): Block[] =>
    (order === 'ascending' ? firstInWindow : lastInWindow).all({ ...window });

  const readTip = (): Block | null => tipStatement.get() ?? null;
  const pageLimit = createPageLimit(client);
  // Prepared once: `client.pragma()` compiles the statement on every call, and this runs on every append and mine.
  const changeCounterStatement = client.prepare<[], number>('PRAGMA data_version').pluck();
  const readChangeCounter = (): number => changeCounterStatement.get()!;
  // Prepared when first used: a database opened read-only is not migrated, and an older one has no such table.
  let chainDifficultyStatement: ReturnType<typeof prepareChainDifficulty> | null = null;
  const prepareChainDifficulty = () => db.select({ difficulty: chainState.difficulty }).from(chainState).prepare();
  const readDifficulty = (): number | null => (chainDifficultyStatement ??= prepareChainDifficulty()).get()?.difficulty ?? null;
  const insertStatement = db
    .insert(blocks)
    .values({
      index: sql.placeholder('index'),
      timestamp: sql.placeholder('timestamp'),
      proof: sql.placeholder('proof'),
      previousHash: sql.placeholder('previousHash'),
      hash: sql.placeholder('hash'),
      data: sql.placeholder('data'),
      difficulty: sql.placeholder('difficulty'),
    })
    .prepare();
  const insert = (block: Block): void => void insertStatement.run({ ...block });
  // Prepared when first used, as the difficulty's: a read-only open of an older database has no such table.
  let keyLookup: { get(values: { key: string }): Block | undefined } | null = null;
  const prepareKeyLookup = () =>
    db
      .select({ block: blocks })
      .from(idempotencyKeys)
      .innerJoin(blocks, eq(blocks.index, idempotencyKeys.blockIndex))
      .where(eq(idempotencyKeys.key, sql.placeholder('key')))
      .prepare();
  const readKeyBlock = (key: string): Block | null => {
    keyLookup ??= ((statement) => ({ get: (values: { key: string }) => statement.get(values)?.block }))(prepareKeyLookup());
    return keyLookup.get({ key }) ?? null;
  };
  const insertKey = (key: string, blockIndex: number): void => void db.insert(idempotencyKeys).values({ key, blockIndex }).run();

  const readPage = (query: BlockRangeQuery): BlockPage =>
    db.transaction(() => ({ blocks: readRange(query, readWindow), length: (readTip()?.index ?? -1) + 1 }), { behavior: 'deferred' });

  /** One `BEGIN IMMEDIATE` transaction over the whole import, the page cache enlarged meanwhile. */
  const importTarget: ImportTarget = {
    translate: toSqliteStorageError,
    async transaction(work) {
      // Hashes arrive in random order for the two unique indexes: a bigger page cache
      // spills their pages to the WAL less often (a million blocks: 35 s instead of 48 s).
      const cacheSize = client.pragma('cache_size', { simple: true }) as number;
      client.pragma(`cache_size = ${IMPORT_CACHE_SIZE}`);
      try {
        client.exec('BEGIN IMMEDIATE');
        let committed = false;
        try {
          const value = await work({
            tip: () => Promise.resolve(readTip()),
            insert(batch) {
              for (const block of batch) insert(block);
              return Promise.resolve();
            },
          });
          client.exec('COMMIT');
          committed = true;
          return value;
        } finally {
          if (!committed && client.inTransaction) client.exec('ROLLBACK');
        }
      } finally {
        if (client.open) client.pragma(`cache_size = ${cacheSize}`);
      }
    },
  };

  const appendAfter: ChainRepository['appendAfter'] = (block, expected, idempotencyKey = null) =>
    call(() =>
      db.transaction(
        (): AppendOutcome => {
          const decision = decideAppend(block, expected, {
            difficulty: readDifficulty(),
            tip: readTip(),
            changeCounter: readChangeCounter(),
            keyBlock: idempotencyKey === null ? null : readKeyBlock(idempotencyKey),
          });
          if (decision !== 'insert') return decision;
          insert(block);
          if (idempotencyKey !== null) insertKey(idempotencyKey, block.index);
          return { status: 'appended' };
        },
        { behavior: 'immediate' },
      ),
    );

  return {
    engine: 'sqlite',
    tip: () => call(readTip),
    length: () => call(() => (readTip()?.index ?? -1) + 1),
    blockAt: (index) => call(() => byIndexStatement.get({ index }) ?? null),
    blockByHash: (hash) => call(() => byHashStatement.get({ hash }) ?? null),
    range: (query) => call(() => readRange(query, readWindow)),
    page: (query) => call(() => readPage(query)),
    batches: (batchSize, span) =>
      keysetBatches(
        (afterIndex, beforeIndex, rows) =>
          call(() => firstInWindow.all({ afterIndex, beforeIndex, limit: pageLimit(afterIndex, beforeIndex, rows) })),
        batchSize,
        span,
      ),

    validateOffThread(options = {}) {
      if (file === null) return null;
      return validateStoredChain(file, { lastIndex: translateSqliteErrors(() => readTip()?.index ?? -1), ...options });
    },

    initialize: (genesis) =>
      call(() =>
        db.transaction(
          () => {
            if (readTip() !== null) return false;
            insert(genesis);
            return true;
          },
          { behavior: 'immediate' },
        ),
      ),

    appendAfter,
    blockByIdempotencyKey: (key) => call(() => readKeyBlock(key)),
    takeMiningTurn: () => Promise.resolve(localMiningTurn(appendAfter)),
    externalChangeCounter: () => call(readChangeCounter),
    importChain: (chain, options) => importChainInto(importTarget, chain, options),

    claimDifficulty: (proposed) =>
      call(() =>
        db.transaction(
          (tx) => {
            tx.insert(chainState)
              .values({ id: 1, difficulty: proposed })
              .onConflictDoUpdate({
                target: chainState.id,
                set: { difficulty: sql`coalesce(${chainState.difficulty}, excluded.difficulty)` },
              })
              .run();
            return readDifficulty() ?? proposed;
          },
          { behavior: 'immediate' },
        ),
      ),

    storedDifficulty: () =>
      call(() => {
        const hasTable = client.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chain_state'").get() !== undefined;
        return hasTable ? readDifficulty() : null;
      }),

    setDifficulty: (difficulty) =>
      call(() => {
        db.insert(chainState).values({ id: 1, difficulty }).onConflictDoUpdate({ target: chainState.id, set: { difficulty } }).run();
      }),
  };
}
