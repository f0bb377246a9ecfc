import { and, asc, desc, eq, getTableColumns, gt, lt, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { Block } from '../../core/block.js';
import { decideAppend } from '../append-decision.js';
import { blockFromRow, type BlockRow } from '../block-row.js';
import { PAGE_DATA_BYTES, keysetBatches, readRange, type BlockWindow } from '../block-pages.js';
import { importChainInto, type ImportTarget } from '../chain-import.js';
import type { AppendExpectation, AppendOutcome, ChainRepository } from '../chain-repository.js';
import { storageCall } from '../errors.js';
import { localMiningTurn } from '../local-mining-turn.js';
import type { PostgresDatabase, PostgresDrizzle } from './database.js';
import { isAnswerTimeout } from './deadlines.js';
import { toPostgresStorageError } from './errors.js';
import type { HeldTurn, MiningTurns } from './mining-turn.js';
import * as schema from './schema.js';
import { blocks, chainState, idempotencyKeys } from './schema.js';
import { siblingsForAppend, subtreesOf, type NodeId } from '../../core/merkle.js';
import { TreeFrontier, nodesForAppend, type TreeNode } from '../tree-nodes.js';

/** Rows per INSERT while importing: 7 parameters each, well below PostgreSQL's 65,535 per statement. */
const MAX_ROWS_PER_INSERT = 1000;

const BOUNDED_PAGE = `
  SELECT block_index, timestamp, proof, previous_hash, hash, data, difficulty FROM (
    SELECT b.*,
      sum(coalesce(octet_length(b.data), 0)) OVER (ORDER BY b.block_index) AS running,
      row_number() OVER (ORDER BY b.block_index) AS position
    FROM blocks b WHERE b.block_index > $1 AND b.block_index < $2 ORDER BY b.block_index LIMIT $3
  ) page
  WHERE position = 1 OR running <= $4
  ORDER BY block_index`;

interface LockedState {
  readonly changes: number;
  readonly difficulty: number | null;
}

/**
 * Runs `work` in a transaction on a connection of its own. Drizzle's
 * `transaction()` leaves a connection checked out if `BEGIN` itself fails;
 * here any failure rolls back (if it can) and destroys the connection rather
 * than return one in an unknown state to the pool.
 */
async function inTransaction<T>(connection: Connection, work: (tx: PostgresDrizzle) => Promise<T>): Promise<T> {
  const { client, release } = await connection();
  let failure: Error | undefined;
  try {
    await client.query('BEGIN');
    const value = await work(drizzle({ client, schema }));
    await client.query('COMMIT');
    return value;
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    // A connection that did not answer is given up on (the server rolls back as it ends): a ROLLBACK would wait as long again.
    if (!isAnswerTimeout(error)) await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    release(failure);
  }
}

/** Where a transaction runs: a connection from the pool, or the one holding the mining turn. */
type Connection = () => Promise<{ readonly client: pg.PoolClient | pg.Client; readonly release: (failure?: Error) => void }>;

const fromPool =
  (pool: pg.Pool): Connection =>
  async () => {
    const client = await pool.connect();
    return { client, release: (failure) => client.release(failure) };
  };

/** The turn's own connection, which stays the turn's whatever happens to the transaction. */
const onTurn =
  (turn: HeldTurn): Connection =>
  () =>
    Promise.resolve({ client: turn.client, release: () => undefined });

/**
 * The chain in PostgreSQL, with the guarantees of the SQLite repository held
 * the same way: constraints and triggers refuse anything but an append at the
 * tip, and every write runs in a transaction that first locks the single
 * `chain_state` row (`SELECT ... FOR UPDATE`), PostgreSQL's counterpart of
 * SQLite's `BEGIN IMMEDIATE`: writers take turns, and each re-reads the tip
 * with the lock held. Reads are single statements, each on one snapshot.
 */
export function createPostgresChainRepository(
  database: PostgresDatabase,
  { turns = null }: { readonly turns?: MiningTurns | null } = {},
): ChainRepository {
  const db = database.drizzle;
  const pooled = fromPool(database.pool);
  const call = storageCall(toPostgresStorageError);
  /**
   * Bumps of `chain_state.changes` made by this repository's own writes: the
   * external change counter is the stored count less these.
   */
  let ownChanges = 0;
  /** This repository's write in progress (settled, never rejecting), and how many of its writes have ended. */
  let ownWrite: Promise<void> | null = null;
  let writeGeneration = 0;

  const tipStatement = db.select().from(blocks).orderBy(desc(blocks.index)).limit(1).prepare('ledger_tip');
  const lengthStatement = db
    .select({ length: sql<number>`coalesce(max(${blocks.index}) + 1, 0)`.mapWith(Number) })
    .from(blocks)
    .prepare('ledger_length');
  const byIndexStatement = db
    .select()
    .from(blocks)
    .where(eq(blocks.index, sql.placeholder('index')))
    .prepare('ledger_block_at');
  const byHashStatement = db
    .select()
    .from(blocks)
    .where(eq(blocks.hash, sql.placeholder('hash')))
    .prepare('ledger_block_by_hash');
  const window = and(gt(blocks.index, sql.placeholder('afterIndex')), lt(blocks.index, sql.placeholder('beforeIndex')));
  const windowStatement = (order: typeof asc | typeof desc, name: string) =>
    db.select().from(blocks).where(window).orderBy(order(blocks.index)).limit(sql.placeholder('limit')).prepare(name);
  const firstInWindow = windowStatement(asc, 'ledger_first_in_window');
  const lastInWindow = windowStatement(desc, 'ledger_last_in_window');
  // The page and the chain's length in one statement, so on one snapshot.
  const pageColumns = {
    ...getTableColumns(blocks),
    chainLength: sql<number>`(SELECT coalesce(max(block_index) + 1, 0) FROM blocks)`.mapWith(Number),
  };
  const pageStatement = (order: typeof asc | typeof desc, name: string) =>
    db.select(pageColumns).from(blocks).where(window).orderBy(order(blocks.index)).limit(sql.placeholder('limit')).prepare(name);
  const firstPage = pageStatement(asc, 'ledger_first_page');
  const lastPage = pageStatement(desc, 'ledger_last_page');
  const changesStatement = db
    .select({ changes: chainState.changes })
    .from(chainState)
    .where(eq(chainState.id, 1))
    .prepare('ledger_changes');
  const readWindow = (window: BlockWindow, order: 'ascending' | 'descending'): Promise<Block[]> =>
    (order === 'ascending' ? firstInWindow : lastInWindow).execute({ ...window });
  const readPageWindow = (window: BlockWindow, order: 'ascending' | 'descending') =>
    (order === 'ascending' ? firstPage : lastPage).execute({ ...window });

  const readLength = async (): Promise<number> => (await lengthStatement.execute())[0]?.length ?? 0;

  /**
   * The next keyset page of at most `rows` blocks and PAGE_DATA_BYTES of data
   * (at least one block), in one statement: a running sum of `octet_length`,
   * which for a stored (TOASTed) text reads the size from its header, cuts the
   * page, and the rows cut off are never detoasted. Rows are mapped by hand:
   * this reads every block of a validation.
   */
  async function readBoundedPage(afterIndex: number, beforeIndex: number, rows: number): Promise<Block[]> {
    const { rows: found } = await database.pool.query<BlockRow>({
      name: 'ledger_bounded_page',
      text: BOUNDED_PAGE,
      values: [afterIndex, beforeIndex, rows, PAGE_DATA_BYTES],
    });
    return found.map(blockFromRow);
  }

  /**
   * Runs `write` in a transaction holding the chain's write lock, with the
   * change count as it was before; counts the changes the transaction made
   * as this repository's own once it commits.
   */
  async function writing<T>(write: (tx: PostgresDrizzle, state: LockedState) => Promise<T>, connection = pooled): Promise<T> {
    let made = 0;
    const done = inTransaction(connection, async (tx) => {
      const locked = await tx
        .select({ changes: chainState.changes, difficulty: chainState.difficulty })
        .from(chainState)
        .where(eq(chainState.id, 1))
        .for('update');
      const state = locked[0];
      if (state === undefined) throw new Error('chain_state has no row: the database was not migrated by this ledger');
      const value = await write(tx, state);
      const after = (await tx.select({ changes: chainState.changes }).from(chainState).where(eq(chainState.id, 1)))[0]!.changes;
      made = after - state.changes;
      return value;
    });
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    ownWrite = settled;
    try {
      const result = await done;
      ownChanges += made;
      return result;
    } finally {
      writeGeneration += 1;
      if (ownWrite === settled) ownWrite = null;
    }
  }

  /**
   * The stored change count less this repository's own changes. A read that
   * overlaps one of its own writes could see the write's changes before they
   * are counted as its own (or the reverse): such a read is taken again.
   */
  async function readExternalChanges(): Promise<number> {
    for (;;) {
      if (ownWrite !== null) await ownWrite;
      const generation = writeGeneration;
      const changes = (await changesStatement.execute())[0]?.changes ?? 0;
      if (ownWrite === null && generation === writeGeneration) return changes - ownChanges;
    }
  }

  const readTip = async (tx: PostgresDrizzle): Promise<Block | null> =>
    (await tx.select().from(blocks).orderBy(desc(blocks.index)).limit(1))[0] ?? null;

  /** The whole import in one transaction holding the write lock, a multi-row INSERT per batch. */
  const importTarget: ImportTarget = {
    translate: toPostgresStorageError,
    maxBlocksPerInsert: MAX_ROWS_PER_INSERT,
    transaction: (work) =>
      writing((tx) =>
        work({
          tip: () => readTip(tx),
          async insert(batch) {
            await tx.insert(blocks).values(batch.map((block) => ({ ...block })));
          },
          insertTreeNodes: (nodes) => insertTreeNodes(tx, nodes),
        }),
      ),
  };

  /** The connection under a Drizzle instance (the pool, or a transaction's client): the tree's statements take arrays, which Drizzle would expand. */
  const clientOf = (tx: PostgresDrizzle): Pick<pg.Pool, 'query'> =>
    (tx as PostgresDrizzle & { readonly $client: Pick<pg.Pool, 'query'> }).$client;
  const readTreeSize = async (tx: PostgresDrizzle): Promise<number> =>
    Number(
      (await clientOf(tx).query<{ size: string }>('SELECT coalesce(max(node_index) + 1, 0) AS size FROM tree_nodes WHERE level = 0'))
        .rows[0]!.size,
    );
  const readTreeNodes = async (tx: PostgresDrizzle, nodes: readonly NodeId[]): Promise<TreeNode[]> => {
    if (nodes.length === 0) return [];
    const { rows } = await clientOf(tx).query<{ level: number; node_index: string; hash: Buffer }>(
      'SELECT level, node_index, hash FROM tree_nodes WHERE (level, node_index) IN (SELECT * FROM unnest($1::smallint[], $2::bigint[]))',
      [nodes.map((node) => node.level), nodes.map((node) => node.index)],
    );
    const byKey = new Map(rows.map((row) => [`${row.level}/${row.node_index}`, new Uint8Array(row.hash)]));
    return nodes.flatMap(({ level, index }) => {
      const hash = byKey.get(`${level}/${index}`);
      return hash === undefined ? [] : [{ level, index, hash }];
    });
  };
  const insertTreeNodes = async (tx: PostgresDrizzle, nodes: readonly TreeNode[]): Promise<void> => {
    if (nodes.length === 0) return;
    await clientOf(tx).query(
      'INSERT INTO tree_nodes (level, node_index, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])',
      [nodes.map((node) => node.level), nodes.map((node) => node.index), nodes.map((node) => Buffer.from(node.hash))],
    );
  };
  /** Inside an append's transaction: the tree nodes `block` completes, when the tree covers the chain before it (else `extendTree` will). */
  const extendTreeWith = async (tx: PostgresDrizzle, block: Block): Promise<void> => {
    if ((await readTreeSize(tx)) !== block.index) return;
    const wanted = siblingsForAppend(block.index);
    const siblings = await readTreeNodes(tx, wanted);
    if (siblings.length !== wanted.length) return;
    await insertTreeNodes(
      tx,
      nodesForAppend(
        block.index,
        block.hash,
        siblings.map((node) => node.hash),
      ),
    );
  };

  const readKeyBlock = async (tx: PostgresDrizzle, key: string): Promise<Block | null> =>
    (
      await tx
        .select({ block: blocks })
        .from(idempotencyKeys)
        .innerJoin(blocks, eq(blocks.index, idempotencyKeys.blockIndex))
        .where(eq(idempotencyKeys.key, key))
    )[0]?.block ?? null;

  const appendAfter = (
    block: Block,
    expected: AppendExpectation,
    idempotencyKey: string | null,
    connection: Connection,
  ): Promise<AppendOutcome> =>
    call(() =>
      writing(async (tx, state): Promise<AppendOutcome> => {
        const tip = await readTip(tx);
        const keyBlock = idempotencyKey === null ? null : await readKeyBlock(tx, idempotencyKey);
        const decision = decideAppend(block, expected, {
          difficulty: state.difficulty,
          tip,
          changeCounter: state.changes - ownChanges,
          keyBlock,
        });
        if (decision !== 'insert') return decision;
        await tx.insert(blocks).values({ ...block });
        if (idempotencyKey !== null) await tx.insert(idempotencyKeys).values({ key: idempotencyKey, blockIndex: block.index });
        await extendTreeWith(tx, block);
        return { status: 'appended' };
      }, connection),
    );

  return {
    engine: 'postgres',
    tip: () => call(async () => (await tipStatement.execute())[0] ?? null),
    length: () => call(readLength),
    blockAt: (index) => call(async () => (await byIndexStatement.execute({ index }))[0] ?? null),
    blockByHash: (hash) => call(async () => (await byHashStatement.execute({ hash }))[0] ?? null),
    range: (query) => call(() => readRange(query, readWindow)),
    page: (query) =>
      call(async () => {
        const rows = await readRange(query, readPageWindow);
        if (rows.length === 0) return { blocks: [], length: await readLength() };
        const length = rows[0]!.chainLength;
        return { blocks: rows.map(({ chainLength: _, ...block }) => block), length };
      }),
    batches: (batchSize, span) =>
      keysetBatches((afterIndex, beforeIndex, rows) => call(() => readBoundedPage(afterIndex, beforeIndex, rows)), batchSize, span),

    // Validation reads in keyset pages on the event loop (chain-integrity.ts): no worker path here.
    validateOffThread: () => null,

    initialize: (genesis) =>
      call(() =>
        writing(async (tx) => {
          if ((await readTip(tx)) !== null) return false;
          await tx.insert(blocks).values({ ...genesis });
          await extendTreeWith(tx, genesis);
          return true;
        }),
      ),

    appendAfter: (block, expected, idempotencyKey = null) => appendAfter(block, expected, idempotencyKey, pooled),
    blockByIdempotencyKey: (key) => call(() => readKeyBlock(db, key)),

    async takeMiningTurn(signal) {
      if (turns === null) return localMiningTurn((block, expected, key = null) => appendAfter(block, expected, key, pooled));
      const held = await turns.take(signal);
      return {
        lost: held.lost,
        appendAfter: async (block, expected, idempotencyKey = null) => {
          if (held.lost.aborted) throw toPostgresStorageError(held.lost.reason);
          try {
            return await held.busy(() => appendAfter(block, expected, idempotencyKey, onTurn(held)));
          } catch (error) {
            // A connection that failed loses the turn: whether the commit landed is for the caller to find out, on another turn.
            await held.stillHeld(error);
            throw toPostgresStorageError(error);
          }
        },
        release: () => held.release(),
      };
    },

    externalChangeCounter: () => call(readExternalChanges),
    importChain: (chain, options) => importChainInto(importTarget, chain, options),

    claimDifficulty: (proposed) =>
      call(async () => {
        const [row] = await db
          .update(chainState)
          .set({ difficulty: sql`coalesce(${chainState.difficulty}, ${proposed})` })
          .where(eq(chainState.id, 1))
          .returning({ difficulty: chainState.difficulty });
        return row?.difficulty ?? proposed;
      }),

    storedDifficulty: () =>
      call(
        async () =>
          (await db.select({ difficulty: chainState.difficulty }).from(chainState).where(eq(chainState.id, 1)))[0]?.difficulty ?? null,
      ),

    treeSize: () => call(() => readTreeSize(db)),
    treeNodes: (nodes) => call(() => readTreeNodes(db, nodes)),

    extendTree: (maxLeaves) =>
      call(() =>
        writing(async (tx) => {
          const size = await readTreeSize(tx);
          const length = ((await readTip(tx))?.index ?? -1) + 1;
          if (size >= length) return { size, length, added: 0 };
          const frontier = new TreeFrontier(await readTreeNodes(tx, subtreesOf({ start: 0, end: size })));
          const end = Math.min(length, size + maxLeaves);
          const range = await tx
            .select({ index: blocks.index, hash: blocks.hash })
            .from(blocks)
            .where(and(gt(blocks.index, size - 1), lt(blocks.index, end)))
            .orderBy(asc(blocks.index));
          await insertTreeNodes(
            tx,
            range.flatMap((block) => frontier.append(block.index, block.hash)),
          );
          return { size: end, length, added: end - size };
        }),
      ),

    setDifficulty: (difficulty) =>
      call(async () => {
        await db.update(chainState).set({ difficulty }).where(eq(chainState.id, 1));
      }),
  };
}
