import { randomUUID } from 'node:crypto';
import type { Block } from '../core/block.js';
import type { ClusterChannel, Ledger, LedgerEvent, MiningNews } from '../ledger/ledger.js';
import { createLedgerEvents } from '../ledger/ledger-events.js';
import { withinTime } from '../shared/within-time.js';
import { PROGRESS_INTERVAL_MS, type MiningActivity } from './mining-progress-feed.js';

interface ClusterMiningOptions {
  /** This process, named in the news it sends. */
  readonly instanceId: string;
  /** Time between two announcements of a mine in progress, in ms. */
  readonly intervalMs?: number;
  /** A mine elsewhere that has not been heard of for this long has ended (its instance died or froze), in ms: a lease and more. */
  readonly staleMs?: number;
  /** Gets failures to read a block another instance mined. */
  readonly onError?: (error: unknown) => void;
}

interface ClusterMining extends MiningActivity {
  /** Stops announcing and following; the ledger's own events are no longer passed on. */
  close(): void;
}

interface RemoteMine {
  readonly news: MiningNews;
  /** When the news arrived, on the `performance.now()` clock. */
  readonly heardAt: number;
  /** Whether its `mining-started` went out here (not while a mine of this instance ran): only then does its end. */
  readonly started: boolean;
}

/** One event to pass on, worked out now or after a read; null: nothing. */
type Step = () => LedgerEvent | null | Promise<LedgerEvent | null>;

/** How long settling a mine may wait for its block before calling it abandoned, in ms. */
const SETTLE_READ_MS = 2000;

interface ProgressFigures {
  readonly index: number;
  readonly attempts: number;
  readonly elapsedMs: number;
  readonly difficulty: number;
}

/**
 * Mining across the instances sharing one database: this ledger's mines are
 * announced on the cluster channel at the progress feed's pace (four times a
 * second), and the other instances' announcements become mining events here,
 * so a `miningProgress` subscriber on any instance follows the mine wherever
 * it runs. Only one instance mines at a time (the cluster's mining turn), but
 * news of one mine's end and the next one's start can cross: a mine is
 * settled (its block read, if stored) before the next one is reported, late
 * news of an ended mine is ignored, and events go out in order even when
 * settling needs a read.
 */
export function createClusterMining(
  ledger: Ledger,
  channel: ClusterChannel,
  { instanceId, intervalMs = PROGRESS_INTERVAL_MS, staleMs = 6000, onError = () => undefined }: ClusterMiningOptions,
): ClusterMining {
  const events = createLedgerEvents(onError);
  let remote: RemoteMine | null = null;
  let staleTimer: NodeJS.Timeout | null = null;
  let announcer: NodeJS.Timeout | null = null;
  /** This process, and its mines numbered for the news (a mine resumed after a lost turn is a new one). */
  const boot = randomUUID();
  let mines = 0;
  /** Whether this instance's mine was being announced at the last tick. */
  let announcing = false;
  /** Per process (boot), the number of its last mine that ended: late news of it is ignored. */
  const endedUpTo = new Map<string, number>();
  const backlog: Step[] = [];
  let draining = false;
  let closed = false;

  /** Passes events on in order; synchronously while no step waits for a read. */
  async function drain(): Promise<void> {
    draining = true;
    while (backlog.length > 0 && !closed) {
      const step = backlog.shift()!;
      let event: LedgerEvent | null = null;
      try {
        const result = step();
        event = result instanceof Promise ? await result : result;
      } catch (error) {
        onError(error);
      }
      if (event !== null && !closed) events.emit(event);
    }
    draining = false;
  }

  function run(step: Step): void {
    backlog.push(step);
    if (!draining) void drain();
  }

  function announce(state: MiningNews['state'], { index, attempts, elapsedMs, difficulty }: ProgressFigures, hash?: string): void {
    channel.publishMining({
      instance: instanceId,
      boot,
      mine: mines,
      state,
      index,
      difficulty,
      attempts,
      elapsedMs: Math.round(elapsedMs),
      ...(hash === undefined ? {} : { hash }),
    });
  }

  function announceProgress(): void {
    const progress = ledger.miningProgress();
    // Not mining while it waits for a turn it lost: when it mines again, that is a new mine to the others.
    if (progress === null) {
      announcing = false;
      return;
    }
    if (!announcing) mines += 1;
    announcing = true;
    announce('MINING', progress);
  }

  const ended = (news: MiningNews): boolean => (endedUpTo.get(news.boot) ?? -1) >= news.mine;
  const markEnded = (news: MiningNews): void => void endedUpTo.set(news.boot, Math.max(news.mine, endedUpTo.get(news.boot) ?? -1));

  /** The block at `index`, if stored and (when known) the one announced; null when the read fails or takes too long. */
  async function storedBlock(index: number, hash: string | undefined): Promise<Block | null> {
    const read = ledger.blockAt(index).catch((error: unknown) => {
      onError(error);
      return null;
    });
    const block = await withinTime(read, SETTLE_READ_MS, null);
    return block !== null && (hash === undefined || block.hash === hash) ? block : null;
  }

  /**
   * Stops following the remote mine, if any; its end is told once known.
   * `end` is its own MINED or ABANDONED news; without it (superseded, gone
   * silent) it counts as mined if a block is stored at its index.
   */
  function settleRemote(end: MiningNews | null): void {
    const was = remote;
    remote = null;
    if (staleTimer !== null) clearTimeout(staleTimer);
    staleTimer = null;
    if (was === null) return;
    const news = end ?? was.news;
    markEnded(news);
    if (!was.started) return;
    const common = {
      type: 'mining-ended',
      index: news.index,
      difficulty: news.difficulty,
      attempts: news.attempts,
      elapsedMs: news.elapsedMs,
    } as const;
    const abandoned: LedgerEvent = { ...common, outcome: 'abandoned', block: null };
    if (end?.state === 'ABANDONED') {
      run(() => abandoned);
      return;
    }
    run(async () => {
      const block = await storedBlock(news.index, end?.hash);
      return block === null ? abandoned : { ...common, outcome: 'mined', block };
    });
  }

  function onLedgerEvent(event: LedgerEvent): void {
    if (event.type === 'mining-started') {
      // A mine starts here only once the turn is taken: whatever mine was followed elsewhere is over.
      settleRemote(null);
      mines += 1;
      announcing = true;
      announce('MINING', { index: event.index, attempts: 0, elapsedMs: 0, difficulty: event.difficulty });
      announcer ??= setInterval(announceProgress, intervalMs);
      announcer.unref();
    } else if (event.type === 'mining-ended') {
      if (announcer !== null) clearInterval(announcer);
      announcer = null;
      announcing = false;
      announce(event.outcome === 'mined' ? 'MINED' : 'ABANDONED', event, event.block?.hash);
    }
    run(() => event);
  }

  function onRemoteNews(news: MiningNews): void {
    if (ended(news)) return;
    const same = remote !== null && remote.news.boot === news.boot && remote.news.mine === news.mine;
    if (news.state !== 'MINING') {
      if (same) settleRemote(news);
      else markEnded(news);
      return;
    }
    // Another mine took over: the one followed is over (its end may still be on its way).
    if (!same) settleRemote(null);
    const wasStarted = same && remote !== null && remote.started;
    // Reported here only while no mine of this instance runs, so that its end goes to its own followers.
    const start = !wasStarted && ledger.miningProgress() === null;
    remote = { news, heardAt: performance.now(), started: wasStarted || start };
    if (staleTimer !== null) clearTimeout(staleTimer);
    staleTimer = setTimeout(() => settleRemote(null), staleMs);
    staleTimer.unref();
    if (start) run(() => ({ type: 'mining-started', index: news.index, difficulty: news.difficulty, turnWaitMs: 0 }));
  }

  const unlistenLedger = ledger.listen(onLedgerEvent);
  const unlistenChannel = channel.listen((news) => {
    if (news.type === 'mining') onRemoteNews(news.news);
  });

  return {
    listen: (listener) => events.listen(listener),
    isClosed: () => ledger.isClosed(),
    miningProgress() {
      const local = ledger.miningProgress();
      if (local !== null || remote === null) return local;
      const { news, heardAt } = remote;
      return {
        index: news.index,
        attempts: news.attempts,
        elapsedMs: news.elapsedMs + (performance.now() - heardAt),
        difficulty: news.difficulty,
      };
    },
    close() {
      closed = true;
      unlistenLedger();
      unlistenChannel();
      if (staleTimer !== null) clearTimeout(staleTimer);
      staleTimer = null;
      remote = null;
      if (announcer !== null) clearInterval(announcer);
      announcer = null;
    },
  };
}
