/** Where a mine on some instance stands, as that instance announces it. */
export interface MiningNews {
  readonly instance: string;
  /** Random per process start: an instance restarted under the same INSTANCE_ID is another one. */
  readonly boot: string;
  /** Numbers the process's mines: a mine is its boot and this number. */
  readonly mine: number;
  /** The mined block's hash, in MINED news. */
  readonly hash?: string;
  readonly state: 'MINING' | 'MINED' | 'ABANDONED';
  readonly index: number;
  readonly difficulty: number;
  readonly attempts: number;
  readonly elapsedMs: number;
}

export type ClusterNews =
  /** Blocks were committed (by any instance, this one too): read what is new from the table. */
  | { readonly type: 'blocks' }
  /** The listening connection was re-established: news may have been missed meanwhile. */
  | { readonly type: 'reconnected' }
  /** Another instance's mine. */
  | { readonly type: 'mining'; readonly news: MiningNews };

export type ClusterListener = (news: ClusterNews) => void;

/**
 * News between the instances sharing one database. It wakes, and never
 * carries the chain: news sent while the listener was disconnected is lost,
 * so after every reconnect listeners hear `reconnected` and catch up from the
 * database.
 */
export interface ClusterChannel {
  listen(listener: ClusterListener): () => void;
  /** Announces this instance's mine to the others (best effort: a failure is only reported). */
  publishMining(news: MiningNews): void;
  /** Whether the listening connection is up now. */
  connected(): boolean;
  close(): Promise<void>;
}
