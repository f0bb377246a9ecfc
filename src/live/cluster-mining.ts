import type { ClusterChannel, Ledger, LedgerEvent, MiningNews } from '../ledger/ledger.js';
import { createLedgerEvents } from '../ledger/ledger-events.js';
import { PROGRESS_INTERVAL_MS, type MiningActivity } from './mining-progress-feed.js';

export interface ClusterMiningOptions {
  /** This process, named in the news it sends. */
  readonly instanceId: string;
  /** Time between two announcements of a mine in progress, in ms. */
  readonly intervalMs?: number;
  /** A mine elsewhere that has not been heard of for this long has ended (its instance died), in ms. */
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

/**
 * Mining across the instances sharing one database: this ledger's mines are
 * announced on the cluster channel at the progress feed's pace (four times a
 * second), and the other instances' announcements become mining events here,
 * so a `miningProgress` subscriber on any instance follows the mine wherever
 * it runs. Only one instance mines at a time (the cluster's mining turn).
 */
export function createClusterMining(
  ledger: Ledger,
  channel: ClusterChannel,
  { instanceId, intervalMs = PROGRESS_INTERVAL_MS, staleMs = 8 * PROGRESS_INTERVAL_MS, onError = () => undefined }: ClusterMiningOptions,
): ClusterMining {
  const events = createLedgerEvents(onError);
  let remote: RemoteMine | null = null;
  let staleTimer: NodeJS.Timeout | null = null;
  let announcer: NodeJS.Timeout | null = null;

  function announce(state: MiningNews['state'], index: number, attempts: number, elapsedMs: number, difficulty: number): void {
    channel.publishMining({ instance: instanceId, state, index, difficulty, attempts, elapsedMs: Math.round(elapsedMs) });
  }

  function announceProgress(): void {
    const progress = ledger.miningProgress();
    if (progress !== null) announce('MINING', progress.index, progress.attempts, progress.elapsedMs, progress.difficulty);
  }

  function onLedgerEvent(event: LedgerEvent): void {
    if (event.type === 'mining-started') {
      announce('MINING', event.index, 0, 0, event.difficulty);
      announcer ??= setInterval(announceProgress, intervalMs);
      announcer.unref();
    } else if (event.type === 'mining-ended') {
      if (announcer !== null) clearInterval(announcer);
      announcer = null;
      announce(event.outcome === 'mined' ? 'MINED' : 'ABANDONED', event.index, event.attempts, event.elapsedMs, event.difficulty);
    }
    events.emit(event);
  }

  function endRemote(outcome: 'mined' | 'abandoned', news: MiningNews, block: Awaited<ReturnType<Ledger['blockAt']>>): void {
    const common = {
      type: 'mining-ended',
      index: news.index,
      difficulty: news.difficulty,
      attempts: news.attempts,
      elapsedMs: news.elapsedMs,
    } as const;
    events.emit(
      outcome === 'mined' && block !== null ? { ...common, outcome: 'mined', block } : { ...common, outcome: 'abandoned', block: null },
    );
  }

  function forget(): RemoteMine | null {
    const was = remote;
    remote = null;
    if (staleTimer !== null) clearTimeout(staleTimer);
    staleTimer = null;
    return was;
  }

  function onRemoteNews(news: MiningNews): void {
    const same = remote !== null && remote.news.instance === news.instance && remote.news.index === news.index;
    if (news.state !== 'MINING') {
      if (!same) return;
      forget();
      if (news.state === 'ABANDONED') {
        endRemote('abandoned', news, null);
        return;
      }
      ledger.blockAt(news.index).then(
        (block) => endRemote('mined', news, block),
        (error: unknown) => {
          onError(error);
          endRemote('abandoned', news, null);
        },
      );
      return;
    }
    if (!same) {
      // Another mine took over (the last one's end was lost): that one is over.
      const previous = forget();
      if (previous !== null) endRemote('abandoned', previous.news, null);
    }
    remote = { news, heardAt: performance.now() };
    if (staleTimer !== null) clearTimeout(staleTimer);
    staleTimer = setTimeout(() => {
      const stale = forget();
      if (stale !== null) endRemote('abandoned', stale.news, null);
    }, staleMs);
    staleTimer.unref();
    if (!same) events.emit({ type: 'mining-started', index: news.index, difficulty: news.difficulty, turnWaitMs: 0 });
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
      unlistenLedger();
      unlistenChannel();
      forget();
      if (announcer !== null) clearInterval(announcer);
      announcer = null;
    },
  };
}
