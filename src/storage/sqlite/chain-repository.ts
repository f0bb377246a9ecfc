import { resolve } from 'node:path';
import type Sqlite from 'better-sqlite3';
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
import { siblingsForAppend, subtreesOf } from '../../core/merkle.js';
import { TreeFrontier, nodesForAppend, type TreeNode } from '../tree-nodes.js';

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

  // The tree's statements, prepared when first used (an older database opened read-only has no tree).
  let treeStatements: {
    readonly size: Sqlite.Statement<[], number>;
    readonly node: Sqlite.Statement<[number, number], Buffer>;
    readonly insert: Sqlite.Statement<[number, number, Uint8Array]>;
  } | null = null;
  const tree = () =>
    (treeStatements ??= {
      size: client.prepare<[], number>('SELECT coalesce(max(node_index) + 1, 0) FROM tree_nodes WHERE level = 0').pluck(),
      node: client.prepare<[number, number], Buffer>('SELECT hash FROM tree_nodes WHERE level = ? AND node_index = ?').pluck(),
      insert: client.prepare<[number, number, Uint8Array]>('INSERT INTO tree_nodes (level, node_index, hash) VALUES (?, ?, ?)'),
    });
  const readTreeSize = (): number => tree().size.get()!;
  const readTreeNodes = (nodes: readonly { level: number; index: number }[]): TreeNode[] =>
    nodes.flatMap(({ level, index }) => {
      const hash = tree().node.get(level, index);
      return hash === undefined ? [] : [{ level, index, hash: new Uint8Array(hash) }];
    });
  const insertTreeNodes = (nodes: readonly TreeNode[]): void => {
    for (const { level, index, hash } of nodes) tree().insert.run(level, index, hash);
  };
  /** Inside an append's transaction: the tree nodes `block` completes, when the tree covers the chain before it (else `extendTree` will). */
  const extendTreeWith = (block: Block): void => {
    if (readTreeSize() !== block.index) return;
    const wanted = siblingsForAppend(block.index);
    const siblings = readTreeNodes(wanted);
    if (siblings.length !== wanted.length) return;
    insertTreeNodes(
      nodesForAppend(
        block.index,
        block.hash,
        siblings.map((node) => node.hash),
      ),
    );
  };

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
            insertTreeNodes(nodes) {
              insertTreeNodes(nodes);
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
          extendTreeWith(block);
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
            extendTreeWith(genesis);
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

    treeSize: () => call(readTreeSize),
    treeNodes: (nodes) => call(() => readTreeNodes(nodes)),

    extendTree: (maxLeaves) =>
      call(() =>
        db.transaction(
          () => {
            const size = readTreeSize();
            const length = (readTip()?.index ?? -1) + 1;
            if (size >= length) return { size, length, added: 0 };
            const frontier = new TreeFrontier(readTreeNodes(subtreesOf({ start: 0, end: size })));
            const end = Math.min(length, size + maxLeaves);
            for (const block of firstInWindow.all({ afterIndex: size - 1, beforeIndex: end, limit: end - size })) {
              insertTreeNodes(frontier.append(block.index, block.hash));
            }
            return { size: end, length, added: end - size };
          },
          { behavior: 'immediate' },
        ),
      ),

    setDifficulty: (difficulty) =>
      call(() => {
        db.insert(chainState).values({ id: 1, difficulty }).onConflictDoUpdate({ target: chainState.id, set: { difficulty } }).run();
      }),
  };
}
