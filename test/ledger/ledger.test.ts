import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { hashBlock } from '../../src/core/block.js';
import { validateChain } from '../../src/core/chain-validation.js';
import { LedgerError } from '../../src/ledger/errors.js';
import { createLedger, type LedgerEvent } from '../../src/ledger/ledger.js';
import type { ProofSearch } from '../../src/mining/proof-search.js';
import { createPoolProofSearch } from '../../src/mining/pool-proof-search.js';
import { breakableProofSearch, sharedProofSearch } from '../helpers/proof-search.js';
import { type AppendOutcome, type ChainRepository } from '../../src/storage/chain-repository.js';
import { StorageError } from '../../src/storage/errors.js';
import { createSqliteChainRepository } from '../../src/storage/sqlite/chain-repository.js';
import { openSqliteDatabase } from '../../src/storage/sqlite/database.js';
import { NOTEBOOK_PROOFS } from '../fixtures/notebook-chain.js';
import { secondConnection, tamper, tempDatabasePath } from '../helpers/temp-database.js';

interface Options {
  difficulty?: number;
  dataMaxBytes?: number;
  writeLockWaitMs?: number;
  proofSearch?: ProofSearch;
  /** Hears the outcome of each append the ledger tries. */
  observe?: (outcome: AppendOutcome) => void;
}

/** The repository, with every append the ledger makes on a mining turn reported to `observe`. */
function observingAppends(repository: ChainRepository, observe: (outcome: AppendOutcome) => void): ChainRepository {
  return {
    ...repository,
    async takeMiningTurn(signal) {
      const turn = await repository.takeMiningTurn(signal);
      return {
        ...turn,
        async appendAfter(block, expected) {
          const outcome = await turn.appendAfter(block, expected);
          observe(outcome);
          return outcome;
        },
      };
    },
  };
}

async function openLedger(
  path: string,
  { difficulty = 4, dataMaxBytes = 64, writeLockWaitMs = 5000, proofSearch = sharedProofSearch(), observe }: Options = {},
) {
  const database = openSqliteDatabase(path);
  const repository = createSqliteChainRepository(database);
  const ledger = await createLedger({
    repository: observe === undefined ? repository : observingAppends(repository, observe),
    proofSearch,
    difficulty,
    dataMaxBytes,
    writeLockWaitMs,
  });
  onTestFinished(async () => {
    await ledger.close();
    // The file's shared search stays open for the next test; one the test made is closed.
    if (proofSearch !== sharedProofSearch()) await proofSearch.close();
    database.close();
  });
  return { ledger, repository };
}

async function expectLedgerError(promise: Promise<unknown>, code: string): Promise<LedgerError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LedgerError);
  expect((error as LedgerError).code).toBe(code);
  return error as LedgerError;
}

async function allBlocks(repository: ChainRepository) {
  const blocks = [];
  for await (const batch of repository.batches(1000)) blocks.push(...batch);
  return blocks;
}

describe('ledger', () => {
  it("writes a genesis block and mines the notebook's proofs", async () => {
    const { ledger } = await openLedger(tempDatabasePath());
    expect(await ledger.length()).toBe(1);
    const genesis = await ledger.tip();
    expect(genesis).toMatchObject({ index: 0, proof: 1, previousHash: '0', data: null, difficulty: 4 });
    expect(genesis.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);

    const proofs: number[] = [];
    for (let i = 0; i < NOTEBOOK_PROOFS.length; i++) {
      const mined = await ledger.mineBlock();
      expect(mined.block.index).toBe(i + 1);
      expect(mined.attempts).toBe(mined.block.proof);
      expect(mined.durationMs).toBeGreaterThan(0);
      proofs.push(mined.block.proof);
    }
    expect(proofs).toEqual(NOTEBOOK_PROOFS);
    expect((await ledger.validate()).valid).toBe(true);
  });

  it('stores data in the block and covers it with the hash', async () => {
    const { ledger } = await openLedger(tempDatabasePath());
    const { block } = await ledger.mineBlock({ data: 'héllo 😀' });
    expect(block.data).toBe('héllo 😀');
    expect(await ledger.blockAt(1)).toEqual(block);
    expect(hashBlock({ ...block, data: null })).not.toBe(block.hash);
  });

  it.each([
    ['over the byte limit', 'x'.repeat(65)],
    ['over the byte limit in UTF-8 though not in characters', 'é'.repeat(33)],
    ['with a NUL character', 'a\u0000b'],
    ['with a lone surrogate', 'a\ud800b'],
  ])('refuses data %s and writes nothing', async (_, data) => {
    const { ledger } = await openLedger(tempDatabasePath());
    await expectLedgerError(ledger.mineBlock({ data }), 'BAD_USER_INPUT');
    expect(await ledger.length()).toBe(1);
  });

  it('accepts data of exactly the byte limit', async () => {
    const { ledger } = await openLedger(tempDatabasePath());
    await ledger.mineBlock({ data: 'é'.repeat(32) });
    expect(await ledger.length()).toBe(2);
  });

  it('turns 20 concurrent mines into 20 consecutive blocks', async () => {
    const { ledger, repository } = await openLedger(tempDatabasePath(), { difficulty: 2 });
    const mined = await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.mineBlock({ data: `request ${i}` })));
    expect(mined.map((result) => result.block.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(validateChain(await allBlocks(repository)).valid).toBe(true);
  });

  it('keeps two writers on one file from forking: each re-mines on the moved tip', async () => {
    const path = tempDatabasePath();
    const first = await openLedger(path, { difficulty: 2 });
    const second = await openLedger(path, { difficulty: 2 });
    const mines = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? first : second).ledger.mineBlock({ data: `writer ${i % 2}` }));
    await Promise.all(mines);
    const chain = await allBlocks(first.repository);
    expect(chain).toHaveLength(13);
    expect(validateChain(chain).valid).toBe(true);
  });

  it('re-mines on the new tip when another writer appended while it searched', async () => {
    const path = tempDatabasePath();
    const other = await openLedger(path);
    const search = sharedProofSearch();
    let interfered = false;
    const interfering: ProofSearch = {
      ...search,
      async find(previousProof, difficulty, signal) {
        const found = await search.find(previousProof, difficulty, signal);
        if (!interfered) {
          interfered = true;
          await other.ledger.mineBlock({ data: 'the other writer' });
        }
        return found;
      },
      // The file's shared search stays open for the next test.
      close: () => Promise.resolve(),
    };
    const { ledger, repository } = await openLedger(path, { proofSearch: interfering });
    const mined = await ledger.mineBlock({ data: 'this writer' });
    expect(mined.block).toMatchObject({ index: 2, proof: 45293, data: 'this writer' });
    // Two threads: every candidate below each answer is hashed, and a little more.
    expect(mined.attempts).toBeGreaterThanOrEqual(533 + 45293);
    expect(await repository.blockAt(1)).toMatchObject({ proof: 533, data: 'the other writer' });
    expect(validateChain(await allBlocks(repository)).valid).toBe(true);
  });

  it('never appends onto a chain tampered with while it searched for the proof', async () => {
    const path = tempDatabasePath();
    const search = sharedProofSearch();
    let searches = 0;
    const tampering: ProofSearch = {
      ...search,
      async find(previousProof, difficulty, signal) {
        const found = await search.find(previousProof, difficulty, signal);
        if (++searches === 2) tamper(path, "UPDATE blocks SET data = 'forged' WHERE block_index = 0");
        return found;
      },
      // The file's shared search stays open for the next test.
      close: () => Promise.resolve(),
    };
    const { ledger } = await openLedger(path, { proofSearch: tampering });
    await ledger.mineBlock();
    await expectLedgerError(ledger.mineBlock(), 'CHAIN_INVALID');
    expect(await ledger.length()).toBe(2);
  });

  it('keeps its proof when another connection wrote without moving the tip', async () => {
    const path = tempDatabasePath();
    // One thread, so that the attempts are exactly the candidates up to the proof: with two, the
    // second thread may hash part of a later chunk before the first publishes its hit.
    const search = sharedProofSearch();
    let searches = 0;
    const writing: ProofSearch = {
      ...search,
      async find(previousProof, difficulty, signal) {
        searches += 1;
        const found = await search.find(previousProof, difficulty, signal);
        secondConnection(path).exec('CREATE TABLE IF NOT EXISTS unrelated (x)');
        return found;
      },
      // The file's shared search stays open for the next test.
      close: () => Promise.resolve(),
    };
    const appends: AppendOutcome['status'][] = [];
    const { ledger } = await openLedger(path, { proofSearch: writing, observe: (outcome) => appends.push(outcome.status) });
    const mined = await ledger.mineBlock();
    // The other connection's write was noticed (the first append found the chain stale), and the proof was kept: one search.
    expect(appends).toEqual(['stale', 'appended']);
    expect(searches).toBe(1);
    expect(mined.block.proof).toBe(533);
    expect(mined.attempts).toBe(533);
    expect(await ledger.length()).toBe(2);
  });

  it('gives up with CHAIN_CONFLICT when other writers move the tip in every round', async () => {
    const path = tempDatabasePath();
    const other = await openLedger(path, { difficulty: 1 });
    const search = sharedProofSearch();
    const alwaysOvertaken: ProofSearch = {
      ...search,
      async find(previousProof, difficulty, signal) {
        const found = await search.find(previousProof, difficulty, signal);
        await other.ledger.mineBlock();
        return found;
      },
      // The file's shared search stays open for the next test.
      close: () => Promise.resolve(),
    };
    const { ledger } = await openLedger(path, { difficulty: 1, proofSearch: alwaysOvertaken });
    await expectLedgerError(ledger.mineBlock({ data: 'never' }), 'CHAIN_CONFLICT');
    expect(validateChain(await allBlocks(other.repository)).valid).toBe(true);
    expect((await allBlocks(other.repository)).some((block) => block.data === 'never')).toBe(false);
  }, 120_000);

  it('answers DATABASE_READ_ONLY when the database cannot be written', async () => {
    const path = tempDatabasePath();
    const database = openSqliteDatabase(path);
    onTestFinished(() => database.close());
    const proofSearch = sharedProofSearch();
    const ledger = await createLedger({ repository: createSqliteChainRepository(database), proofSearch, difficulty: 1, dataMaxBytes: 64 });
    onTestFinished(() => ledger.close());
    database.client.pragma('query_only = ON');
    await expectLedgerError(ledger.mineBlock(), 'DATABASE_READ_ONLY');
    expect(await ledger.length()).toBe(1);
  });

  it('reports a block changed through another connection and refuses to mine onto it', async () => {
    const path = tempDatabasePath();
    const { ledger } = await openLedger(path);
    for (let i = 0; i < 3; i++) await ledger.mineBlock();
    tamper(path, "UPDATE blocks SET data = 'rewritten' WHERE block_index = 2");

    const result = await ledger.validate();
    expect(result.valid).toBe(false);
    expect(result.problems.map(({ index, reason }) => ({ index, reason }))).toEqual([{ index: 2, reason: 'HASH_MISMATCH' }]);
    await expectLedgerError(ledger.mineBlock(), 'CHAIN_INVALID');
    expect(await ledger.length()).toBe(4);
    // Reads still work, so the damage can be inspected.
    expect((await ledger.blockAt(2))?.data).toBe('rewritten');
  });

  it('notices tampering before mining even when nobody asked to validate', async () => {
    const path = tempDatabasePath();
    const { ledger } = await openLedger(path);
    await ledger.mineBlock();
    tamper(path, 'UPDATE blocks SET proof = 12345 WHERE block_index = 1');
    await expectLedgerError(ledger.mineBlock(), 'CHAIN_INVALID');
  });

  it('opens a tampered database, serves reads and never mines onto it', async () => {
    const path = tempDatabasePath();
    {
      const { ledger } = await openLedger(path);
      await ledger.mineBlock();
    }
    tamper(path, "UPDATE blocks SET timestamp = '2000-01-01 00:00:00.000000' WHERE block_index = 0");
    const { ledger } = await openLedger(path);
    expect(await ledger.length()).toBe(2);
    await expectLedgerError(ledger.mineBlock(), 'CHAIN_INVALID');
    expect((await ledger.validate()).problems[0]).toMatchObject({ index: 0, reason: 'HASH_MISMATCH' });
  });

  it("refuses to mine at another difficulty than the chain's, until the chain's is changed on purpose", async () => {
    const path = tempDatabasePath();
    {
      const { ledger } = await openLedger(path, { difficulty: 3 });
      expect(ledger.chainDifficulty).toBe(3);
      const { block } = await ledger.mineBlock();
      expect(block.difficulty).toBe(3);
    }
    {
      const { ledger } = await openLedger(path, { difficulty: 2 });
      expect(ledger.chainDifficulty).toBe(3);
      await expectLedgerError(ledger.mineBlock(), 'DIFFICULTY_MISMATCH');
      expect(await ledger.length()).toBe(2);
    }
    await (await openLedger(path, { difficulty: 3 })).repository.setDifficulty(2);
    const { ledger, repository } = await openLedger(path, { difficulty: 2 });
    const { block } = await ledger.mineBlock();
    expect(block.difficulty).toBe(2);
    expect((await allBlocks(repository)).map((b) => b.difficulty)).toEqual([4, 3, 2]);
    expect((await ledger.validate()).valid).toBe(true);
  });

  it('mines again without a restart once the chain is set back to its difficulty, telling each change once', async () => {
    const path = tempDatabasePath();
    const { ledger: operator } = await openLedger(path, { difficulty: 3 });
    const database = openSqliteDatabase(path);
    onTestFinished(() => database.close());
    const changes: Array<{ chain: number; configured: number } | null> = [];
    const ledger = await createLedger({
      repository: createSqliteChainRepository(database),
      proofSearch: sharedProofSearch(),
      difficulty: 3,
      dataMaxBytes: 64,
      onDifficultyMismatch: (mismatch) => changes.push(mismatch),
    });
    onTestFinished(() => ledger.close());
    await ledger.mineBlock();
    // set-difficulty 4, then 3 again: the mine that meets 4 is refused, the ones after 3 is back go ahead.
    const otherDatabase = openSqliteDatabase(path);
    onTestFinished(() => otherDatabase.close());
    const other = createSqliteChainRepository(otherDatabase);
    await other.setDifficulty(4);
    const refused = await expectLedgerError(ledger.mineBlock(), 'DIFFICULTY_MISMATCH');
    expect(refused.message).toContain('DIFFICULTY=4');
    await expectLedgerError(ledger.mineBlock(), 'DIFFICULTY_MISMATCH');
    expect((await ledger.miningRefusal())?.code).toBe('DIFFICULTY_MISMATCH');
    expect(ledger.chainDifficulty).toBe(4);
    await other.setDifficulty(3);
    expect(await ledger.miningRefusal()).toBeNull();
    const { block } = await ledger.mineBlock();
    expect(block.difficulty).toBe(3);
    expect(ledger.chainDifficulty).toBe(3);
    expect(changes).toEqual([{ chain: 4, configured: 3 }, null]);
    expect(await operator.length()).toBe(3);
  });

  it('waits for the Merkle tree of an older chain before mining (HISTORY_NOT_READY), serving reads meanwhile', async () => {
    const database = openSqliteDatabase(tempDatabasePath());
    onTestFinished(() => database.close());
    let built = false;
    const ledger = await createLedger({
      repository: createSqliteChainRepository(database),
      proofSearch: sharedProofSearch(),
      difficulty: 4,
      dataMaxBytes: 64,
      historyBuilt: () => built,
    });
    onTestFinished(() => ledger.close());
    const refused = await expectLedgerError(ledger.mineBlock(), 'HISTORY_NOT_READY');
    expect(refused.retryAfterSeconds).toBe(5);
    expect((await ledger.tip()).index).toBe(0);
    built = true;
    expect((await ledger.mineBlock()).block.index).toBe(1);
  });

  it('answers DB_BUSY when another process holds the write lock, and mines once it is released', async () => {
    const path = tempDatabasePath();
    const { ledger } = await openLedger(path, { writeLockWaitMs: 300 });
    const other = secondConnection(path);
    other.exec('BEGIN IMMEDIATE');
    await expectLedgerError(ledger.mineBlock(), 'DB_BUSY');
    expect(await ledger.blockAt(0)).not.toBeNull();
    other.exec('ROLLBACK');
    await ledger.mineBlock();
    expect(await ledger.length()).toBe(2);
  });

  it('answers the mines queued behind one that found the database unreachable at once, and tries again for a mine that comes after', async () => {
    const database = openSqliteDatabase(tempDatabasePath());
    onTestFinished(() => database.close());
    const repository = createSqliteChainRepository(database);
    let reachable = false;
    let turnsAsked = 0;
    let failTurn = (): void => undefined;
    const ledger = await createLedger({
      repository: {
        ...repository,
        async takeMiningTurn(signal) {
          turnsAsked += 1;
          if (!reachable) {
            // A statement left unanswered until its deadline.
            await new Promise<void>((resolve) => (failTurn = resolve));
            throw new StorageError('unavailable', 'no answer from the database within its deadline');
          }
          return repository.takeMiningTurn(signal);
        },
      },
      proofSearch: sharedProofSearch(),
      difficulty: 4,
      dataMaxBytes: 64,
    });
    onTestFinished(() => ledger.close());
    const first = ledger.mineBlock({ data: 'first' });
    await vi.waitFor(() => expect(turnsAsked).toBe(1));
    const queued = [ledger.mineBlock({ data: 'second' }), ledger.mineBlock({ data: 'third' })];
    failTurn();
    for (const mine of [first, ...queued]) await expectLedgerError(mine, 'DB_UNAVAILABLE');
    expect(turnsAsked).toBe(1);
    reachable = true;
    const { block } = await ledger.mineBlock({ data: 'after' });
    expect(block.data).toBe('after');
    expect(turnsAsked).toBe(2);
  });

  it('waits for a write lock without stalling the event loop', async () => {
    const path = tempDatabasePath();
    const { ledger } = await openLedger(path, { writeLockWaitMs: 3000 });
    await ledger.mineBlock(); // warm up: worker started, chain validated, so the next mine reaches its append at once
    const other = secondConnection(path);
    other.exec('BEGIN IMMEDIATE');
    const order: string[] = [];
    const mine = ledger.mineBlock().then(
      () => order.push('mine settled'),
      () => order.push('mine settled'),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    order.push('timer fired');
    other.exec('ROLLBACK');
    await mine;
    // Had SQLite's busy handler slept on the event loop for the whole wait, the timer would come second.
    expect(order).toEqual(['timer fired', 'mine settled']);
    expect(await ledger.length()).toBe(3);
  });

  it('abandons a mine in progress on close, refuses queued and new mines, and writes nothing', async () => {
    const path = tempDatabasePath();
    const { ledger, repository } = await openLedger(path, { difficulty: 9 });
    const inProgress = ledger.mineBlock();
    const queued = ledger.mineBlock();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await ledger.close();
    await expectLedgerError(inProgress, 'SHUTTING_DOWN');
    await expectLedgerError(queued, 'SHUTTING_DOWN');
    await expectLedgerError(ledger.mineBlock(), 'SHUTTING_DOWN');
    expect(await repository.length()).toBe(1);
  });

  it('re-reads the whole chain to validate only when another connection has written since', async () => {
    const path = tempDatabasePath();
    const database = openSqliteDatabase(path);
    onTestFinished(() => database.close());
    const repository = createSqliteChainRepository(database);
    let passes = 0;
    const counting = { ...repository, batches: (size: number) => (passes++, repository.batches(size)) };
    const proofSearch = sharedProofSearch();
    const ledger = await createLedger({ repository: counting, proofSearch, difficulty: 1, dataMaxBytes: 64 });
    onTestFinished(() => ledger.close());

    expect(await ledger.validate()).toMatchObject({ valid: true, length: 1 });
    await ledger.mineBlock();
    await ledger.mineBlock();
    expect(await ledger.validate()).toMatchObject({ valid: true, length: 3 });
    expect(passes).toBe(1);
    tamper(path, "UPDATE blocks SET data = 'x' WHERE block_index = 1");
    expect(await ledger.validate()).toMatchObject({ valid: false, length: 3 });
    expect(passes).toBe(2);
  });

  it('validates only the newest blocks when asked for a bounded check', async () => {
    const path = tempDatabasePath();
    const { ledger } = await openLedger(path, { difficulty: 1 });
    for (let i = 0; i < 6; i++) await ledger.mineBlock();
    expect(await ledger.validateRecent(3)).toMatchObject({ valid: true, length: 3 });
    expect(await ledger.validateRecent(100)).toMatchObject({ valid: true, length: 7 });
    tamper(path, "UPDATE blocks SET data = 'old news' WHERE block_index = 2");
    expect((await ledger.validateRecent(3)).valid).toBe(true);
    tamper(path, "UPDATE blocks SET data = 'recent news' WHERE block_index = 5");
    expect((await ledger.validateRecent(3)).problems).toMatchObject([{ index: 5, reason: 'HASH_MISMATCH' }]);
  });

  it('refuses to mine once told the storage is damaged, and keeps serving reads', async () => {
    const { ledger } = await openLedger(tempDatabasePath());
    ledger.refuseMining();
    await expectLedgerError(ledger.mineBlock(), 'DATABASE_DAMAGED');
    expect((await ledger.tip()).index).toBe(0);
  });

  it('reports the progress of the mine in progress, growing, and null when none is', async () => {
    const proofSearch = createPoolProofSearch({ engine: 'js', threads: 1 });
    const { ledger } = await openLedger(tempDatabasePath(), { difficulty: 7, proofSearch });
    expect(ledger.miningProgress()).toBeNull();
    const mine = ledger.mineBlock();
    mine.catch(() => undefined);
    await expect.poll(() => ledger.miningProgress()?.attempts ?? 0, { timeout: 10_000, interval: 20 }).toBeGreaterThan(0);
    const first = ledger.miningProgress()!;
    expect(first.difficulty).toBe(7);
    expect(first.index).toBe(1);
    await expect.poll(() => ledger.miningProgress()!.attempts, { timeout: 10_000, interval: 20 }).toBeGreaterThan(first.attempts);
    expect(ledger.miningProgress()!.elapsedMs).toBeGreaterThan(first.elapsedMs);
    await ledger.close();
    await expectLedgerError(mine, 'SHUTTING_DOWN');
    expect(ledger.miningProgress()).toBeNull();
  });

  it('sums the attempts of every round into the progress, and clears it once the block is mined', async () => {
    const path = tempDatabasePath();
    const other = await openLedger(path);
    const search = sharedProofSearch();
    let ledgerUnderTest: Awaited<ReturnType<typeof openLedger>>['ledger'] | null = null;
    const seen: number[] = [];
    let interfered = false;
    const interfering: ProofSearch = {
      ...search,
      async find(previousProof, difficulty, signal) {
        const found = await search.find(previousProof, difficulty, signal);
        seen.push(ledgerUnderTest!.miningProgress()!.attempts);
        if (!interfered) {
          interfered = true;
          await other.ledger.mineBlock();
        }
        return found;
      },
      // The file's shared search stays open for the next test.
      close: () => Promise.resolve(),
    };
    const { ledger } = await openLedger(path, { proofSearch: interfering });
    ledgerUnderTest = ledger;
    const mined = await ledger.mineBlock();
    expect(mined.block.proof).toBe(45293);
    // Seen as each search returns: the first round's 533 attempts carry into the second.
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBeGreaterThanOrEqual(533);
    expect(ledger.miningProgress()).toBeNull();
  });

  it('pages with the length of the chain it read them from', async () => {
    const { ledger } = await openLedger(tempDatabasePath(), { difficulty: 1 });
    for (let i = 0; i < 4; i++) await ledger.mineBlock();
    const page = await ledger.page({ afterIndex: 1, limit: 2, from: 'first' });
    expect(page.blocks.map((block) => block.index)).toEqual([2, 3]);
    expect(page.length).toBe(5);
  });
});

describe('ledger idempotency keys', () => {
  it('answers a retry with the block the key produced, without mining or announcing it again', async () => {
    const { ledger } = await openLedger(tempDatabasePath());
    const first = await ledger.mineBlock({ data: 'pay 5', idempotencyKey: 'order-17' });
    expect(first.replayed).toBe(false);
    const appended: number[] = [];
    ledger.listen((event) => {
      if (event.type === 'block-appended') appended.push(event.block.index);
    });
    const retry = await ledger.mineBlock({ data: 'pay 5', idempotencyKey: 'order-17' });
    expect(retry).toEqual({ block: first.block, attempts: 0, durationMs: 0, replayed: true });
    expect(await ledger.length()).toBe(2);
    expect(appended).toEqual([]);
    // Another key, the same data: another block.
    expect((await ledger.mineBlock({ data: 'pay 5', idempotencyKey: 'order-18' })).block.index).toBe(2);
  });

  it('refuses a key used before with other data, and a key whose mine is still running, and never mines twice', async () => {
    const { ledger } = await openLedger(tempDatabasePath());
    const running = ledger.mineBlock({ data: 'a', idempotencyKey: 'k' });
    const during = await expectLedgerError(ledger.mineBlock({ data: 'a', idempotencyKey: 'k' }), 'IDEMPOTENCY_KEY_IN_PROGRESS');
    expect(during.retryAfterSeconds).toBe(1);
    await expectLedgerError(ledger.mineBlock({ data: 'b', idempotencyKey: 'k' }), 'IDEMPOTENCY_KEY_REUSED');
    const { block } = await running;
    await expectLedgerError(ledger.mineBlock({ data: 'b', idempotencyKey: 'k' }), 'IDEMPOTENCY_KEY_REUSED');
    await expectLedgerError(ledger.mineBlock({ data: null, idempotencyKey: 'k' }), 'IDEMPOTENCY_KEY_REUSED');
    expect((await ledger.mineBlock({ data: 'a', idempotencyKey: 'k' })).block).toEqual(block);
    expect(await ledger.length()).toBe(2);
  });

  it.for<[string, string]>([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['a space', 'two words'],
    ['a quote', 'a"b'],
    ['a backslash', 'a\\b'],
    ['non-ASCII', 'clé'],
  ])('refuses a key with %s as BAD_USER_INPUT, mining nothing', async ([, key]) => {
    const { ledger } = await openLedger(tempDatabasePath());
    await expectLedgerError(ledger.mineBlock({ data: 'x', idempotencyKey: key }), 'BAD_USER_INPUT');
    expect(await ledger.length()).toBe(1);
  });

  it('gets the block another process stored for the key, even when the key was stored after its own check', async () => {
    const path = tempDatabasePath();
    const { ledger: other } = await openLedger(path);
    const stored = await other.mineBlock({ data: 'once', idempotencyKey: 'shared' });
    // A second process whose lookups miss the key (it was stored between its check and its append):
    // the append itself finds the key and answers with its block.
    const database = openSqliteDatabase(path);
    onTestFinished(() => database.close());
    const repository = createSqliteChainRepository(database);
    const ledger = await createLedger({
      repository: { ...repository, blockByIdempotencyKey: () => Promise.resolve(null) },
      proofSearch: sharedProofSearch(),
      difficulty: 4,
      dataMaxBytes: 64,
    });
    onTestFinished(() => ledger.close());
    const ended: string[] = [];
    ledger.listen((event) => {
      if (event.type === 'mining-ended') ended.push(event.outcome);
    });
    const retry = await ledger.mineBlock({ data: 'once', idempotencyKey: 'shared' });
    expect(retry.block).toEqual(stored.block);
    expect(retry.replayed).toBe(true);
    // This mine mined nothing, and no shutdown ended it.
    expect(ended).toEqual(['failed']);
    expect(await ledger.length()).toBe(2);
    // And without the miss, the lookup answers before any mining.
    const { ledger: third } = await openLedger(path);
    expect((await third.mineBlock({ data: 'once', idempotencyKey: 'shared' })).block).toEqual(stored.block);
  });
});

describe('ledger events', () => {
  const record = (ledger: { listen: (listener: (event: LedgerEvent) => void) => () => void }) => {
    const events: LedgerEvent[] = [];
    const unlisten = ledger.listen((event) => events.push(event));
    return { events, unlisten };
  };

  it('never ends a mine with fewer attempts than its progress reported (progress counts whole chunks)', async () => {
    const search = sharedProofSearch();
    // A search whose running estimate is ahead of what it will have hashed, as a
    // chunk's worth can be when the answer sits early in the last chunk.
    const ahead: ProofSearch = {
      ...search,
      find: search.find.bind(search),
      close: () => Promise.resolve(),
      progress: () => ({ attempts: 99_999, startedAt: performance.now() }),
    };
    const { ledger } = await openLedger(tempDatabasePath(), { difficulty: 2, proofSearch: ahead });
    const reported: number[] = [];
    const ended: LedgerEvent[] = [];
    ledger.listen((event) => {
      if (event.type === 'mining-started') reported.push(ledger.miningProgress()?.attempts ?? 0);
      if (event.type === 'mining-ended') ended.push(event);
    });
    const mined = await ledger.mineBlock();
    expect(reported).toEqual([99_999]);
    expect(mined.attempts).toBeLessThan(99_999);
    expect(ended).toMatchObject([{ outcome: 'mined', attempts: 99_999 }]);
  });

  it('tells listeners of a mine starting, its block, and its end, in that order, until they stop listening', async () => {
    const { ledger } = await openLedger(tempDatabasePath(), { difficulty: 2 });
    expect(ledger.listenerCount()).toBe(0);
    const first = record(ledger);
    const second = record(ledger);
    expect(ledger.listenerCount()).toBe(2);
    const mined = await ledger.mineBlock({ data: 'first' });
    const turnWaitMs = (first.events[0] as { turnWaitMs?: number }).turnWaitMs;
    expect(turnWaitMs).toBeGreaterThanOrEqual(0);
    const expected: LedgerEvent[] = [
      { type: 'mining-started', index: 1, difficulty: 2, turnWaitMs: turnWaitMs! },
      { type: 'block-appended', block: mined.block },
      {
        type: 'mining-ended',
        outcome: 'mined',
        block: mined.block,
        index: 1,
        difficulty: 2,
        attempts: mined.attempts,
        elapsedMs: mined.durationMs,
      },
    ];
    expect(first.events).toEqual(expected);
    expect(second.events).toEqual(expected);

    first.unlisten();
    first.unlisten();
    expect(ledger.listenerCount()).toBe(1);
    await ledger.mineBlock();
    expect(first.events).toHaveLength(3);
    expect(second.events.map((event) => event.type)).toEqual([
      ...expected.map((event) => event.type),
      'mining-started',
      'block-appended',
      'mining-ended',
    ]);
    second.unlisten();
    expect(ledger.listenerCount()).toBe(0);
  });

  it('reports a mine abandoned on close, then closed, and nothing after', async () => {
    const proofSearch = createPoolProofSearch({ engine: 'js', threads: 1 });
    const { ledger } = await openLedger(tempDatabasePath(), { difficulty: 9, proofSearch });
    const { events } = record(ledger);
    const mine = ledger.mineBlock();
    mine.catch(() => undefined);
    await expect.poll(() => events.length, { timeout: 10_000, interval: 10 }).toBe(1);
    expect(ledger.isClosed()).toBe(false);
    await ledger.close();
    await ledger.close();
    expect(ledger.isClosed()).toBe(true);
    await expectLedgerError(mine, 'SHUTTING_DOWN');
    expect(events).toEqual([
      { type: 'mining-started', index: 1, difficulty: 9, turnWaitMs: expect.any(Number) as number },
      {
        type: 'mining-ended',
        outcome: 'abandoned',
        block: null,
        index: 1,
        difficulty: 9,
        attempts: expect.any(Number) as number,
        elapsedMs: expect.any(Number) as number,
      },
      { type: 'closed' },
    ]);
  });

  it('reports a mine that fails (its proof search, or its append) as failed, not abandoned', async () => {
    const breaking = breakableProofSearch(true);
    const database = openSqliteDatabase(tempDatabasePath());
    onTestFinished(() => database.close());
    const ledger = await createLedger({
      repository: createSqliteChainRepository(database),
      proofSearch: breaking.search,
      difficulty: 1,
      dataMaxBytes: 64,
    });
    onTestFinished(() => ledger.close());
    const { events } = record(ledger);
    await expect(ledger.mineBlock()).rejects.toThrow('the worker died');
    breaking.setBroken(false);
    database.client.pragma('query_only = ON');
    await expectLedgerError(ledger.mineBlock(), 'DATABASE_READ_ONLY');
    const ends = events.filter((event) => event.type === 'mining-ended');
    expect(ends).toMatchObject([
      { outcome: 'failed', block: null, index: 1 },
      { outcome: 'failed', block: null, index: 1 },
    ]);
  });

  it('reports the index a mine ends with when another writer moved the tip meanwhile', async () => {
    const path = tempDatabasePath();
    const other = await openLedger(path, { difficulty: 2 });
    const search = sharedProofSearch();
    let interfered = false;
    const interfering: ProofSearch = {
      ...search,
      async find(previousProof, difficulty, signal) {
        const found = await search.find(previousProof, difficulty, signal);
        if (!interfered) {
          interfered = true;
          await other.ledger.mineBlock();
        }
        return found;
      },
      // The file's shared search stays open for the next test.
      close: () => Promise.resolve(),
    };
    const { ledger } = await openLedger(path, { difficulty: 2, proofSearch: interfering });
    const { events } = record(ledger);
    const before = await ledger.externalChangeCounter();
    const mined = await ledger.mineBlock();
    expect(mined.block.index).toBe(2);
    expect(await ledger.externalChangeCounter()).not.toBe(before);
    // Only this ledger's own block is announced; the other writer's is for readers to find.
    expect(events.map((event) => [event.type, 'index' in event ? event.index : 'block' in event ? event.block?.index : null])).toEqual([
      ['mining-started', 1],
      ['block-appended', 2],
      ['mining-ended', 2],
    ]);
    const counter = await ledger.externalChangeCounter();
    await ledger.mineBlock();
    expect(await ledger.externalChangeCounter()).toBe(counter);
  });

  it('keeps mining, and telling the other listeners, when a listener throws; the error is reported', async () => {
    const database = openSqliteDatabase(tempDatabasePath());
    const proofSearch = sharedProofSearch();
    const reported: unknown[] = [];
    const ledger = await createLedger({
      repository: createSqliteChainRepository(database),
      proofSearch,
      difficulty: 1,
      dataMaxBytes: 64,
      onListenerError: (error) => reported.push(error),
    });
    onTestFinished(async () => {
      await ledger.close();
      database.close();
    });
    const failure = new Error('listener bug');
    ledger.listen(() => {
      throw failure;
    });
    const { events } = record(ledger);
    const mined = await ledger.mineBlock();
    expect(mined.block.index).toBe(1);
    expect(events.map((event) => event.type)).toEqual(['mining-started', 'block-appended', 'mining-ended']);
    expect(reported).toEqual([failure, failure, failure]);
  });
});
