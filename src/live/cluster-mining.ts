import type { ClusterChannel, Ledger, LedgerEvent, MiningNews } from '../ledger/ledger.js';
import { createLedgerEvents } from '../ledger/ledger-events.js';
import { PROGRESS_INTERVAL_MS, type MiningActivity } from './mining-progress-feed.js';

export interface ClusterMiningOptions {
  /** This process, named in the news it sends. */
  readonly instanceId: string;
  /** Time between two announcements of a mine in progress, in ms. */
  readonly intervalMs?: number;
  /** A mine elsewhere that has not been heard of for this long has ended (its instance died or froze), in ms: a lease and more. */
  readonly staleMs?: number;
  /** Gets failures to read a block another instance mined. */
  readonly onError?: (error: unknown) => void;
}

export interface ClusterMining extends MiningActivity {
  /** Stops announcing and following; the ledger's own events are no longer passed on. */
  close(): void;
}

interface RemoteMine {
  readonly news: MiningNews;
  /** When the news arrived, on the `performance.now()` clock. */
  readonly heardAt: number;
}

/** One event to pass on, worked out now or after a read; null: nothing. */
type Step = () => LedgerEvent | null | Promise<LedgerEvent | null>;

/**
 * Mining across the instances sharing one database: this ledger's mines are
 * announced on the cluster channel at the progress feed's pace (four times a
 * second), and the other instances' announcements become mining events here,
 * so a `miningProgress` subscriber on any instance follows the mine wherever
 * it runs. Only one instance mines at a time (the cluster's mining turn), but
 * news of one mine's end and the next one's start can cross: a mine is
 * settled (its block read, if stored) before the next one is reported, and
 * events go out in order even when settling needs a read.
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
  /** This instance's mines, numbered for the news. */
  let mines = 0;
  /** Per instance, the number of its last mine that ended (late news of it is ignored). */
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

  function announce(state: MiningNews['state'], index: number, attempts: number, elapsedMs: number, difficulty: number): void {
    channel.publishMining({ instance: instanceId, mine: mines, state, index, difficulty, attempts, elapsedMs: Math.round(elapsedMs) });
  }

  function announceProgress(): void {
    const progress = ledger.miningProgress();
    if (progress !== null) announce('MINING', progress.index, progress.attempts, progress.elapsedMs, progress.difficulty);
  }

  const ended = (news: MiningNews): boolean => (endedUpTo.get(news.instance) ?? -1) >= news.mine;
  const markEnded = (news: MiningNews): void => void endedUpTo.set(news.instance, Math.max(news.mine, endedUpTo.get(news.instance) ?? -1));

  /** Stops following the remote mine, if any: its end is told once known (its block, if stored, is read). */
  function settleRemote(outcome: 'mined' | 'abandoned' | 'stored?'): void {
    const was = remote;
    remote = null;
    if (staleTimer !== null) clearTimeout(staleTimer);
    staleTimer = null;
    if (was === null) return;
    const { news } = was;
    markEnded(news);
    const common = {
      type: 'mining-ended',
      index: news.index,
      difficulty: news.difficulty,
      attempts: news.attempts,
      elapsedMs: news.elapsedMs,
    } as const;
    const abandoned: LedgerEvent = { ...common, outcome: 'abandoned', block: null };
    if (outcome === 'abandoned') {
      run(() => abandoned);
      return;
    }
    run(async () => {
      const block = await ledger.blockAt(news.index).catch((error: unknown) => {
        onError(error);
        return null;
      });
      return block === null ? abandoned : { ...common, outcome: 'mined', block };
    });
  }

  function onLedgerEvent(event: LedgerEvent): void {
    if (event.type === 'mining-started') {
      // A mine starts here only once the turn is taken: whatever mine was followed elsewhere is over.
      settleRemote('stored?');
      mines += 1;
      announce('MINING', event.index, 0, 0, event.difficulty);
      announcer ??= setInterval(announceProgress, intervalMs);
      announcer.unref();
    } else if (event.type === 'mining-ended') {
      if (announcer !== null) clearInterval(announcer);
      announcer = null;
      announce(event.outcome === 'mined' ? 'MINED' : 'ABANDONED', event.index, event.attempts, event.elapsedMs, event.difficulty);
    }
    run(() => event);
  }

  function onRemoteNews(news: MiningNews): void {
    if (ended(news)) return;
    const same = remote !== null && remote.news.instance === news.instance && remote.news.mine === news.mine;
    if (news.state !== 'MINING') {
      if (same) settleRemote(news.state === 'MINED' ? 'mined' : 'abandoned');
      else markEnded(news);
      return;
    }
    // Another mine took over: the one followed is over (its end may still be on its way).
    if (!same) settleRemote('stored?');
    remote = { news, heardAt: performance.now() };
    if (staleTimer !== null) clearTimeout(staleTimer);
    staleTimer = setTimeout(() => settleRemote('stored?'), staleMs);
    staleTimer.unref();
    if (!same && ledger.miningProgress() === null) {
      run(() => ({ type: 'mining-started', index: news.index, difficulty: news.difficulty, turnWaitMs: 0 }));
    }
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
