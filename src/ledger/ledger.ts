import { Mutex } from 'async-mutex';
import { createGenesisBlock, type Block } from '../core/block.js';
import { createChainValidator, type ChainValidationResult } from '../core/chain-validation.js';
import { formatNotebookTimestamp } from '../core/timestamp.js';
import type { ProofSearch } from '../mining/proof-search.js';
import type { BlockPage, BlockRangeQuery, BlockSpan, ChainRepository, MiningTurn } from '../storage/chain-repository.js';
import { createChainIntegrity } from './chain-integrity.js';
import { LedgerError, fromStorageFailure, readingStorage as read } from './errors.js';
import { createLedgerEvents, type LedgerEvents } from './ledger-events.js';
import { checkIdempotencyKey } from './idempotency-key.js';
import {
  mineInRounds,
  replayOf,
  type HeldTurn,
  type MineInProgress,
  type MineRequest,
  type MinedBlock,
  type MiningRoundsContext,
} from './mining-rounds.js';
import { retryWhileLocked } from './write-retry.js';

export type { BlockPage, BlockRangeQuery, BlockSpan };
export type { ClusterChannel, MiningNews } from '../storage/cluster.js';
export type { LedgerEvent, LedgerListener, MiningEnded, Unlisten } from './ledger-events.js';
export type { MinedBlock } from './mining-rounds.js';

/** How far the mine in progress has got. */
export interface MiningProgress {
  /** The index the block being mined will have (it moves up if another writer extends the chain meanwhile). */
  readonly index: number;
  /** Proofs tried so far, over every round (an estimate while a search runs; it never decreases). */
  readonly attempts: number;
  /** Since the mine started (after waiting for earlier ones), in ms. */
  readonly elapsedMs: number;
  /** The difficulty the block is being mined at. */
  readonly difficulty: number;
}

interface LedgerOptions {
  readonly repository: ChainRepository;
  readonly proofSearch: ProofSearch;
  /** Leading hex zeros required of new blocks. */
  readonly difficulty: number;
  /** Largest `data` payload accepted, in UTF-8 bytes. */
  readonly dataMaxBytes: number;
  /** How long a write may wait for another process's write lock before DB_BUSY, in ms. */
  readonly writeLockWaitMs?: number;
  /** Mines that may wait behind the one in progress; more are refused with MINING_BUSY. */
  readonly miningQueueMax?: number;
  /**
   * How long a mine whose append lost its connection keeps trying to take the
   * turn again, to learn whether its block was stored, in ms: within the bound
   * a mine answers in (the server sets it from the statement timeout).
   */
  readonly unconfirmedRetryMs?: number;
  /**
   * A check of the database file (quick_check) still running at start-up.
   * No block is mined before it passes; if it fails, or cannot run, mining is refused.
   */
  readonly storageCheck?: Promise<{ readonly ok: boolean }>;
  /** Microseconds since the Unix epoch. */
  readonly clock?: () => number;
  /** Gets what an event listener throws (the mine goes on regardless). */
  readonly onListenerError?: (error: unknown) => void;
  /**
   * Whether the stored Merkle tree covers the chain; mining waits for it
   * (HISTORY_NOT_READY) while the tree of an older chain is built.
   */
  readonly historyBuilt?: () => boolean;
  /** Told when mining becomes refused because the chain's difficulty differs from `difficulty` (and `null` when that ends). */
  readonly onDifficultyMismatch?: (mismatch: { readonly chain: number; readonly configured: number } | null) => void;
}

/**
 * Listeners (`listen`) hear of each block this ledger appends, and of each
 * mine starting and ending; see LedgerEvent.
 */
export interface Ledger extends LedgerEvents {
  /** The configured difficulty, which new blocks are mined at. */
  readonly difficulty: number;
  /** The difficulty stored with the chain; when it differs from `difficulty`, mining is refused (DIFFICULTY_MISMATCH). */
  readonly chainDifficulty: number;
  readonly dataMaxBytes: number;
  tip(): Promise<Block>;
  length(): Promise<number>;
  blockAt(index: number): Promise<Block | null>;
  blockByHash(hash: string): Promise<Block | null>;
  page(query: BlockRangeQuery): Promise<BlockPage>;
  /** Stored blocks in index order, `batchSize` at a time, each batch read when asked for (see ChainRepository.batches). */
  batches(batchSize: number, span?: BlockSpan): AsyncGenerator<Block[], void, undefined>;
  /** Validates every stored block. */
  validate(): Promise<ChainValidationResult>;
  /** Validates the newest `count` blocks only (against the block before them): bounded work, for start-up. */
  validateRecent(count: number): Promise<ChainValidationResult>;
  /** From now on, refuse to mine (DATABASE_DAMAGED), e.g. after damage found on a read; reads go on. */
  refuseMining(): void;
  /**
   * Why mining is refused now (the error a mine would get), or null when it
   * is not; a difficulty mismatch is read again from the database first.
   */
  miningRefusal(): Promise<LedgerError | null>;
  /**
   * Mines and durably appends one block. Calls are served one at a time, in
   * order. With an `idempotencyKey`, a call whose key already produced a block
   * gets that block (`replayed`) without mining; the key with other data is
   * IDEMPOTENCY_KEY_REUSED, and while a mine with the key runs here,
   * IDEMPOTENCY_KEY_IN_PROGRESS.
   */
  mineBlock(input?: { readonly data?: string | null; readonly idempotencyKey?: string | null }): Promise<MinedBlock>;
  /** The mine in progress, or `null` when none is (mines waiting their turn have not started). Cheap enough to poll. */
  miningProgress(): MiningProgress | null;
  /** Mines in progress or waiting in this process. */
  pendingMines(): number;
  /**
   * A number that changes whenever another process (or connection) commits to
   * the database, and never for this ledger's own blocks: polled, it tells when
   * to look for blocks appended behind this ledger's back. Cheap enough to poll.
   */
  externalChangeCounter(): Promise<number>;
  /** Whether `close()` has been called. */
  isClosed(): boolean;
  /**
   * Abandons the mine in progress and refuses queued and new ones; nothing is
   * half-written. Closing the proof search and the database is the owner's job.
   * Listeners hear the abandoned mine end, then `closed`.
   */
  close(): Promise<void>;
}

/**
 * The wall clock, so timestamps follow clock corrections. Node has no
 * microsecond wall clock: the six digits the notebook's format needs are
 * milliseconds followed by 000.
 */
const wallClockMicroseconds = (): number => Date.now() * 1000;

const LONE_SURROGATE = /\p{Surrogate}/u;

function checkData(data: string | null, dataMaxBytes: number): void {
  if (data === null) return;
  const bytes = Buffer.byteLength(data, 'utf8');
  if (bytes > dataMaxBytes) {
    throw new LedgerError('BAD_USER_INPUT', `data is ${bytes} bytes of UTF-8; the limit is ${dataMaxBytes}.`);
  }
  if (data.includes('\u0000')) throw new LedgerError('BAD_USER_INPUT', 'data must not contain NUL characters.');
  // SQLite stores UTF-8: a lone surrogate would come back as U+FFFD and break the block's hash.
  if (LONE_SURROGATE.test(data)) throw new LedgerError('BAD_USER_INPUT', 'data must be valid Unicode (it has a lone surrogate).');
}

/**
 * The chain as the API sees it: reads, validation and mining over a
 * repository, with proof of work delegated to a search off the main thread.
 * Writes the genesis block when the chain is empty.
 */
export async function createLedger({
  repository,
  proofSearch,
  difficulty,
  dataMaxBytes,
  writeLockWaitMs = 5000,
  miningQueueMax = Number.POSITIVE_INFINITY,
  unconfirmedRetryMs = 10_000,
  storageCheck = Promise.resolve({ ok: true }),
  clock = wallClockMicroseconds,
  onListenerError = () => undefined,
  onDifficultyMismatch = () => undefined,
  historyBuilt = () => true,
}: LedgerOptions): Promise<Ledger> {
  const events = createLedgerEvents(onListenerError);
  const shuttingDown = new LedgerError('SHUTTING_DOWN', 'The server is shutting down; the block was not mined.');
  const shutdown = new AbortController();
  const write = <T>(operation: () => Promise<T>): Promise<T> =>
    retryWhileLocked(operation, { waitMs: writeLockWaitMs, signal: shutdown.signal });

  const damaged = new LedgerError('DATABASE_DAMAGED', 'The database file is damaged; mining is refused. The server log says where.');
  let miningRefusal: LedgerError | null = null;
  let chainDifficulty = difficulty;
  try {
    await write(() => repository.initialize(createGenesisBlock(formatNotebookTimestamp(clock()))));
    // A chain older than this rule is taken to be mined at its newest block's difficulty, not at whatever the first process to open it says.
    const tip = await repository.tip();
    const proposed = tip !== null && tip.index > 0 ? tip.difficulty : difficulty;
    chainDifficulty = await write(() => repository.claimDifficulty(proposed));
  } catch (error) {
    const translated = fromStorageFailure(error);
    // A damaged file still opens for reads, so the damage can be inspected.
    if (!(translated instanceof LedgerError && translated.code === 'DATABASE_DAMAGED')) throw translated;
    miningRefusal = damaged;
  }
  // Mixing difficulties silently would let one misconfigured process cheapen the chain's work.
  const difficultyMismatch = (stored: number): LedgerError =>
    new LedgerError(
      'DIFFICULTY_MISMATCH',
      `This chain is mined at difficulty ${stored}, but this server is configured with DIFFICULTY=${difficulty}; mining is refused ` +
        `until they agree: restart this server with DIFFICULTY=${stored}, or set the chain's back with ` +
        `\`pow-ledger set-difficulty ${difficulty}\` (mining resumes at the next mine, no restart needed).`,
    );
  /** The chain's difficulty while it differs from this server's, which refuses mining until they agree again. */
  let mismatchedDifficulty: number | null = null;
  /** Mining refused for the chain's difficulty, or allowed again: told once per change (the server logs it). */
  const setMismatch = (stored: number | null): void => {
    const mismatch = stored === null || stored === difficulty ? null : stored;
    if (mismatch === mismatchedDifficulty) return;
    mismatchedDifficulty = mismatch;
    if (stored !== null) chainDifficulty = stored;
    onDifficultyMismatch(mismatch === null ? null : { chain: mismatch, configured: difficulty });
  };
  setMismatch(chainDifficulty);
  /**
   * While mining is refused for the difficulty, reads the chain's again: an
   * operator who set it back (or set this server's) gets mining back without
   * a restart.
   */
  async function recheckDifficulty(): Promise<void> {
    if (mismatchedDifficulty === null) return;
    setMismatch(await read(() => repository.storedDifficulty()));
  }
  // Fails closed: a check that cannot run counts as a failed one.
  const storageVerdict = storageCheck.then(
    ({ ok }) => (ok ? null : damaged),
    () => damaged,
  );
  /** Why a mine would be refused now, or null. */
  const currentRefusal = (): LedgerError | null => {
    if (miningRefusal !== null) return miningRefusal;
    if (mismatchedDifficulty !== null) return difficultyMismatch(mismatchedDifficulty);
    if (!historyBuilt()) {
      return new LedgerError(
        'HISTORY_NOT_READY',
        "This chain's Merkle tree is still being built (it predates the tree); mining resumes once it covers the chain. Reads are served.",
        { retryAfterSeconds: 5 },
      );
    }
    return null;
  };
  const throwIfRefused = (): void => {
    const refusal = currentRefusal();
    if (refusal !== null) throw refusal;
  };
  const integrity = createChainIntegrity(repository, { signal: shutdown.signal });
  const miningLock = new Mutex(shuttingDown);
  /** When a mine last failed because the database could not be reached (performance.now() ms). */
  let unreachableAt = Number.NEGATIVE_INFINITY;
  /** Idempotency keys of the mines asked of this ledger and not yet answered, with their data. */
  const keysInFlight = new Map<string, string | null>();
  /** Mines in progress or waiting. */
  let pendingMines = 0;
  /** Smoothed duration of recent mines, to tell a refused client when to come back. */
  let typicalMineMs = 100;
  /** The mine in progress: attempts of the rounds finished so far, and the most ever reported (so progress never goes back). */
  let mining: MineInProgress | null = null;
  let closed = false;

  const readTip = async (): Promise<Block> => {
    const tip = await read(() => repository.tip());
    if (tip === null) throw new Error('the chain has no genesis block');
    return tip;
  };

  /** Attempts so far, never fewer than reported before. */
  function attemptsOf(progress: MineInProgress): number {
    const attempts = progress.attemptsBefore + (proofSearch.progress()?.attempts ?? 0);
    progress.reported = Math.max(progress.reported, attempts);
    return progress.reported;
  }

  /** Waits for the mining turn (cluster-wide on PostgreSQL), translating storage failures. */
  async function takeTurn(): Promise<MiningTurn> {
    try {
      return await repository.takeMiningTurn(shutdown.signal);
    } catch (error) {
      throw shutdown.signal.aborted ? shuttingDown : fromStorageFailure(error);
    }
  }

  const roundsContext: MiningRoundsContext = {
    repository,
    readTip,
    integrity,
    proofSearch,
    difficulty,
    clock,
    unconfirmedRetryMs,
    shutdown: shutdown.signal,
    shuttingDown,
    write,
    takeTurn,
    throwIfRefused,
    refuseForDifficulty(stored) {
      setMismatch(stored);
      return difficultyMismatch(stored);
    },
    emit: (event) => events.emit(event),
    announce(progress) {
      mining = progress;
    },
  };

  async function mineNext(request: MineRequest): Promise<MinedBlock> {
    miningRefusal ??= await storageVerdict;
    throwIfRefused();
    // Validated before taking the turn: a full pass (a fresh instance's first mine) would hold up every instance.
    // Holding the turn, only blocks appended since need checking.
    await integrity.current();
    const waitStarted = performance.now();
    const held: HeldTurn = { turn: await takeTurn() };
    try {
      // Holding the turn: a retry of this key on another instance may have stored its block while this one waited.
      const earlier = await storedFor(request.idempotencyKey);
      if (earlier !== null) return replayOf(earlier, request.data);
      return await mineHolding(request, held, performance.now() - waitStarted);
    } finally {
      await held.turn.release();
    }
  }

  /** The block an earlier mine with `key` stored, if any. */
  const storedFor = (key: string | null): Promise<Block | null> =>
    key === null ? Promise.resolve(null) : read(() => repository.blockByIdempotencyKey(key));

  async function mineHolding(request: MineRequest, held: HeldTurn, turnWaitMs: number): Promise<MinedBlock> {
    const startedAt = performance.now();
    const progress: MineInProgress = { startedAt, index: (await readTip()).index + 1, attemptsBefore: 0, reported: 0 };
    mining = progress;
    events.emit({ type: 'mining-started', index: progress.index, difficulty, turnWaitMs });
    let mined: MinedBlock;
    try {
      mined = await mineInRounds(roundsContext, request, progress, held);
    } catch (error) {
      mining = null;
      events.emit({
        type: 'mining-ended',
        outcome: shutdown.signal.aborted ? 'abandoned' : 'failed',
        block: null,
        index: progress.index,
        difficulty,
        attempts: attemptsOf(progress),
        elapsedMs: performance.now() - startedAt,
      });
      throw error;
    }
    mining = null;
    const { block, attempts, durationMs } = mined;
    if (mined.replayed) {
      // Another process stored a block for the key while this mine ran: this one mined nothing (not a shutdown).
      events.emit({
        type: 'mining-ended',
        outcome: 'failed',
        block: null,
        index: progress.index,
        difficulty,
        attempts,
        elapsedMs: durationMs,
      });
      return mined;
    }
    // Progress counts whole chunks handed out, the result only what was hashed:
    // the last update must not report fewer attempts than one before it.
    const reported = Math.max(progress.reported, attempts);
    events.emit({
      type: 'mining-ended',
      outcome: 'mined',
      block,
      index: block.index,
      difficulty,
      attempts: reported,
      elapsedMs: durationMs,
    });
    return mined;
  }

  /** Mines in the order asked, one at a time. */
  async function mineQueued(request: MineRequest): Promise<MinedBlock> {
    if (shutdown.signal.aborted) throw shuttingDown;
    await recheckDifficulty();
    throwIfRefused();
    if (pendingMines > miningQueueMax) {
      throw new LedgerError('MINING_BUSY', `${pendingMines} mines are already in progress or waiting; try again later.`, {
        retryAfterSeconds: Math.max(1, Math.ceil((pendingMines * typicalMineMs) / 1000)),
      });
    }
    pendingMines += 1;
    const queuedAt = performance.now();
    try {
      const mined = await miningLock.runExclusive(async () => {
        // The mine before this one found the database unreachable while this one waited: answer now, within the
        // bound a mine answers in, rather than after every mine queued ahead has waited out the same deadlines.
        if (unreachableAt > queuedAt) {
          throw new LedgerError(
            'DB_UNAVAILABLE',
            'The database could not be reached while this mine waited for the one before it; no block was mined.',
            { retryAfterSeconds: 1 },
          );
        }
        try {
          return await mineNext(request);
        } catch (error) {
          const failure = fromStorageFailure(error);
          // Before the lock passes to the next mine.
          if (failure instanceof LedgerError && failure.code === 'DB_UNAVAILABLE') unreachableAt = performance.now();
          throw failure;
        }
      });
      if (!mined.replayed) typicalMineMs = 0.8 * typicalMineMs + 0.2 * mined.durationMs;
      return mined;
    } catch (error) {
      if (shutdown.signal.aborted) throw shuttingDown;
      throw fromStorageFailure(error);
    } finally {
      pendingMines -= 1;
    }
  }

  return {
    difficulty,
    get chainDifficulty() {
      return chainDifficulty;
    },
    dataMaxBytes,
    tip: readTip,
    length: () => read(() => repository.length()),
    blockAt: (index) => read(() => repository.blockAt(index)),
    blockByHash: (hash) => read(() => repository.blockByHash(hash)),
    page: (query) => read(() => repository.page(query)),
    async *batches(batchSize, span) {
      try {
        yield* repository.batches(batchSize, span);
      } catch (error) {
        throw fromStorageFailure(error);
      }
    },
    validate: async () => {
      try {
        return await integrity.verify();
      } catch (error) {
        throw shutdown.signal.aborted ? shuttingDown : fromStorageFailure(error);
      }
    },
    validateRecent: (count) =>
      read(async () => {
        const tail = await repository.range({ limit: count + 1, from: 'last' });
        // The oldest block read anchors the rest, unless the tail reaches back to genesis.
        const anchor = tail.length > count ? (tail.shift() ?? null) : null;
        const validator = createChainValidator({ after: anchor });
        for (const block of tail) validator.add(block);
        return validator.result();
      }),
    refuseMining() {
      miningRefusal = damaged;
    },
    async miningRefusal() {
      await recheckDifficulty();
      return currentRefusal();
    },

    async mineBlock({ data = null, idempotencyKey = null } = {}) {
      checkData(data, dataMaxBytes);
      if (idempotencyKey === null) return mineQueued({ data, idempotencyKey });
      checkIdempotencyKey(idempotencyKey);
      if (keysInFlight.has(idempotencyKey)) {
        if (keysInFlight.get(idempotencyKey) !== data) {
          throw new LedgerError(
            'IDEMPOTENCY_KEY_REUSED',
            'A mine with this idempotency key and other data is running; use a new key for new data.',
          );
        }
        throw new LedgerError(
          'IDEMPOTENCY_KEY_IN_PROGRESS',
          'A mine with this idempotency key is still running on this server; retry shortly to get its block.',
          { retryAfterSeconds: 1 },
        );
      }
      keysInFlight.set(idempotencyKey, data);
      try {
        // A retry of a mine that was stored gets its block without mining (even while mining is refused).
        const earlier = await storedFor(idempotencyKey);
        if (earlier !== null) return replayOf(earlier, data);
        return await mineQueued({ data, idempotencyKey });
      } finally {
        keysInFlight.delete(idempotencyKey);
      }
    },

    miningProgress() {
      if (mining === null) return null;
      return { index: mining.index, attempts: attemptsOf(mining), elapsedMs: performance.now() - mining.startedAt, difficulty };
    },

    pendingMines: () => pendingMines,
    externalChangeCounter: () => read(() => repository.externalChangeCounter()),
    listen: (listener) => events.listen(listener),
    listenerCount: () => events.listenerCount(),
    isClosed: () => shutdown.signal.aborted,

    async close() {
      shutdown.abort(shuttingDown);
      miningLock.cancel();
      // The abort stops the proof search within a few ms, and a mine holds the lock until its
      // append has committed or rolled back: once the lock is free, no transaction of ours is open.
      await miningLock.waitForUnlock();
      if (closed) return;
      closed = true;
      events.emit({ type: 'closed' });
    },
  };
}
