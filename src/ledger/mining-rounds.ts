import { setTimeout as delay } from 'node:timers/promises';
import { sealBlock, type Block } from '../core/block.js';
import { checkNewBlock } from '../core/chain-validation.js';
import { formatNotebookTimestamp } from '../core/timestamp.js';
import type { ProofSearch } from '../mining/proof-search.js';
import type { ChainRepository, MiningTurn } from '../storage/chain-repository.js';
import type { ChainIntegrity, IntegrityState } from './chain-integrity.js';
import { LedgerError, readingStorage } from './errors.js';
import type { LedgerEvent } from './ledger-events.js';

export interface MinedBlock {
  readonly block: Block;
  /** Proofs tried, over every round if the tip moved while mining. */
  readonly attempts: number;
  /** From the start of mining (after waiting for earlier requests) to the durable commit, in ms. */
  readonly durationMs: number;
  /** The block was stored earlier for the same idempotency key and is returned without mining. */
  readonly replayed: boolean;
}

/** What a client asked to mine. */
export interface MineRequest {
  readonly data: string | null;
  /** The client's key for this mine: a retry with it gets the block already stored, never a second one. */
  readonly idempotencyKey: string | null;
}

/**
 * The block an earlier mine with the same idempotency key stored, for a retry
 * of it; a key reused with other data is refused.
 */
export function replayOf(block: Block, data: string | null): MinedBlock {
  if (block.data !== data) {
    throw new LedgerError(
      'IDEMPOTENCY_KEY_REUSED',
      `This idempotency key produced block ${block.index}, whose data differ from this request's; use a new key for new data.`,
    );
  }
  return { block, attempts: 0, durationMs: 0, replayed: true };
}

/** A mine in progress, as `Ledger.miningProgress` reports it. */
export interface MineInProgress {
  readonly startedAt: number;
  /** Index of the block being mined, as of the current round. */
  index: number;
  /** Attempts of the rounds finished so far. */
  attemptsBefore: number;
  /** The most attempts ever reported, so progress never goes back. */
  reported: number;
}

/**
 * A mine starts over when another process wrote meanwhile. Each such round
 * means another writer made progress, so this only bounds one request's wait
 * under sustained contention (two writers: losing 50 rounds in a row is 1e-15).
 */
const MAX_MINING_ROUNDS = 50;

/** A pause between two attempts to take a lost turn back, in ms. */
const RETAKE_PAUSE_MS = 250;

const roundToMicroseconds = (milliseconds: number): number => Math.round(milliseconds * 1000) / 1000;

/** What the rounds of a mine need of the ledger around them. */
export interface MiningRoundsContext {
  readonly repository: Pick<ChainRepository, 'blockAt'>;
  /** The chain's tip, storage failures translated. */
  readTip(): Promise<Block>;
  readonly integrity: ChainIntegrity;
  readonly proofSearch: ProofSearch;
  /** Leading hex zeros required of the block. */
  readonly difficulty: number;
  /** Microseconds since the Unix epoch. */
  readonly clock: () => number;
  /** How long a mine whose append lost its connection keeps trying to take the turn again, to learn whether its block was stored, in ms. */
  readonly unconfirmedRetryMs: number;
  /** Aborts when the ledger closes: the mine stops and is abandoned with `shuttingDown`. */
  readonly shutdown: AbortSignal;
  readonly shuttingDown: LedgerError;
  /** Runs a write, retrying while another process holds the write lock. */
  write<T>(operation: () => Promise<T>): Promise<T>;
  /** Waits for the mining turn (cluster-wide on PostgreSQL). */
  takeTurn(): Promise<MiningTurn>;
  /** Throws if mining has been refused since the mine started (damage found, say). */
  throwIfRefused(): void;
  /** Refuses mining from now on because the chain's difficulty was changed on purpose; the error to throw. */
  refuseForDifficulty(stored: number): LedgerError;
  emit(event: LedgerEvent): void;
  /** The mine's progress is announced (or no longer is, while it waits for a turn it lost). */
  announce(progress: MineInProgress | null): void;
}

/** The mining turn a mine holds: a lost one is replaced, and the caller releases whichever is held at the end. */
export interface HeldTurn {
  turn: MiningTurn;
}

/** What a mine carries from one round to the next. */
interface RoundsState {
  readonly held: HeldTurn;
  /** Proofs tried by every search so far. */
  attempts: number;
  /** The last proof found and the tip it fits: kept while the tip stays (other writes leave the proof valid). */
  found: { readonly tipHash: string; readonly proof: number } | null;
  /** A block whose append failed with its connection: it may have committed, so it is looked for before mining another. */
  unconfirmed: Block | null;
  /** Rounds another writer won by moving the tip (rounds that only lost the turn do not count). */
  overtaken: number;
}

/**
 * Mines one block while holding `turn`, in rounds of read tip, search,
 * append. A round starts over when another writer moved the tip. A lost turn
 * (a connection cut, a lease run out while this process was frozen) stops the
 * search and the append; the mine takes another turn and starts the round
 * afresh. An append whose connection failed may still have committed: the
 * next round looks for its block before mining another.
 */
export async function mineInRounds(
  context: MiningRoundsContext,
  { data, idempotencyKey }: MineRequest,
  progress: MineInProgress,
  held: HeldTurn,
): Promise<MinedBlock> {
  const { integrity, difficulty, shutdown } = context;
  const state: RoundsState = { held, attempts: 0, found: null, unconfirmed: null, overtaken: 0 };
  const finished = (block: Block): MinedBlock => {
    context.emit({ type: 'block-appended', block });
    return { block, attempts: state.attempts, durationMs: roundToMicroseconds(performance.now() - progress.startedAt), replayed: false };
  };
  while (state.overtaken < MAX_MINING_ROUNDS) {
    const confirmed = await findUnconfirmed(context, state);
    if (confirmed !== null) return finished(confirmed);
    const verdict = await integrity.current();
    if (!verdict.valid) {
      throw new LedgerError(
        'CHAIN_INVALID',
        'The stored chain does not validate; no block will be mined onto it. Run `validate` to see why.',
      );
    }
    const tip = await context.readTip();
    progress.index = tip.index + 1;
    // Another connection may have written without moving the tip: the proof still fits.
    if (state.found?.tipHash !== tip.hash) {
      const searched = await search(context, state, tip, progress);
      if (searched === 'turn-lost') {
        await retake(context, state, progress);
        continue;
      }
    }
    const block = sealBlock({
      index: tip.index + 1,
      timestamp: formatNotebookTimestamp(context.clock()),
      proof: state.found!.proof,
      previousHash: tip.hash,
      data,
      difficulty,
    });
    const problems = checkNewBlock(block, tip, difficulty);
    if (problems.length > 0) throw new Error(`mined an invalid block: ${problems.map((p) => p.message).join(' ')}`);
    if (shutdown.aborted) throw context.shuttingDown;
    context.throwIfRefused(); // damage may have been found while this block was mined
    const outcome = await append(context, state, block, tip, verdict, idempotencyKey);
    if (outcome === 'turn-lost') {
      await retake(context, state, progress);
      continue;
    }
    if (outcome.status === 'appended') {
      integrity.appended(block);
      return finished(block);
    }
    // Another instance stored a block for the same key meanwhile (a client's retry there).
    if (outcome.status === 'key-used') return replayOf(outcome.block, data);
    if (outcome.status === 'difficulty-changed') throw context.refuseForDifficulty(outcome.difficulty);
    state.overtaken += 1;
  }
  throw new LedgerError('CHAIN_CONFLICT', `Other writers changed the database ${MAX_MINING_ROUNDS} times during this mine; try again.`);
}

/** The block of an append whose outcome was unknown, if it was stored after all; forgets it if not. */
async function findUnconfirmed(context: MiningRoundsContext, state: RoundsState): Promise<Block | null> {
  const { unconfirmed } = state;
  if (unconfirmed === null) return null;
  const stored = await readingStorage(() => context.repository.blockAt(unconfirmed.index));
  state.unconfirmed = null;
  return stored?.hash === unconfirmed.hash ? stored : null;
}

const lostTurn = (context: MiningRoundsContext, state: RoundsState): boolean => state.held.turn.lost.aborted && !context.shutdown.aborted;

/** Searches the proof on `tip`, stopping when the ledger closes or the turn is lost. */
async function search(
  context: MiningRoundsContext,
  state: RoundsState,
  tip: Block,
  progress: MineInProgress,
): Promise<'found' | 'turn-lost'> {
  const { shutdown } = context;
  const lost = state.held.turn.lost;
  // Its own controller rather than AbortSignal.any, which keeps a reference from the long-lived shutdown signal.
  const stop = new AbortController();
  const abort = (): void => stop.abort(shutdown.aborted ? shutdown.reason : lost.reason);
  shutdown.addEventListener('abort', abort);
  lost.addEventListener('abort', abort);
  if (shutdown.aborted || lost.aborted) abort();
  try {
    const found = await context.proofSearch.find(tip.proof, context.difficulty, stop.signal);
    state.attempts += found.attempts;
    progress.attemptsBefore = state.attempts;
    state.found = { tipHash: tip.hash, proof: found.proof };
    return 'found';
  } catch (error) {
    if (!lostTurn(context, state)) throw error;
    return 'turn-lost';
  } finally {
    shutdown.removeEventListener('abort', abort);
    lost.removeEventListener('abort', abort);
  }
}

/**
 * Appends `block` on the turn, if nobody else wrote since the chain was
 * validated (`verdict`). An append that fails with the turn's connection is
 * remembered as unconfirmed.
 */
async function append(
  context: MiningRoundsContext,
  state: RoundsState,
  block: Block,
  tip: Block,
  verdict: IntegrityState,
  idempotencyKey: string | null,
): Promise<Awaited<ReturnType<MiningTurn['appendAfter']>> | 'turn-lost'> {
  const { turn } = state.held;
  try {
    return await context.write(() => turn.appendAfter(block, { tipHash: tip.hash, changeCounter: verdict.changeCounter }, idempotencyKey));
  } catch (error) {
    if (!lostTurn(context, state)) throw error;
    state.unconfirmed = block;
    return 'turn-lost';
  }
}

/**
 * Takes another turn after one was lost, not announcing the mine meanwhile.
 * After an append whose outcome is unknown, keeps trying for a while: giving
 * up then would leave the client unsure whether its block was stored.
 */
async function retake(context: MiningRoundsContext, state: RoundsState, progress: MineInProgress): Promise<void> {
  await state.held.turn.release();
  context.announce(null);
  const { unconfirmed } = state;
  const deadline = performance.now() + (unconfirmed === null ? 0 : context.unconfirmedRetryMs);
  for (;;) {
    try {
      state.held.turn = await context.takeTurn();
      break;
    } catch (error) {
      if (context.shutdown.aborted || performance.now() >= deadline) {
        if (unconfirmed === null) throw error;
        throw new LedgerError(
          'DB_UNAVAILABLE',
          `The database failed while block ${unconfirmed.index} was being stored, and cannot be reached to tell whether it was: ` +
            'read the chain before mining its data again.',
          { cause: error, retryAfterSeconds: 1 },
        );
      }
      await delay(RETAKE_PAUSE_MS);
    }
  }
  context.announce(progress);
}
