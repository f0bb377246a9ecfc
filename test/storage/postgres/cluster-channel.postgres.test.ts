import { expect, it, onTestFinished, vi } from 'vitest';
import type { ClusterChannel, ClusterNews, MiningNews } from '../../../src/storage/cluster.js';
import { createPostgresChainRepository } from '../../../src/storage/postgres/chain-repository.js';
import { openClusterChannel } from '../../../src/storage/postgres/cluster-channel.js';
import { openPostgresDatabase, type PostgresDatabase } from '../../../src/storage/postgres/database.js';
import { buildChain } from '../../helpers/chains.js';
import { describeOnPostgres, freshPostgresUrl, postgresQuery } from '../../helpers/postgres.js';

const WAIT = { timeout: 10_000, interval: 25 } as const;

/** A database of the test's own, migrated, closed when the test finishes. */
async function freshDatabase(): Promise<{ url: string; database: PostgresDatabase }> {
  const url = await freshPostgresUrl();
  const database = await openPostgresDatabase(url, { poolSize: 2 });
  onTestFinished(() => database.close());
  return { url, database };
}

interface Instance {
  readonly channel: ClusterChannel;
  /** Everything its listener heard, in order. */
  readonly heard: ClusterNews[];
  readonly errors: unknown[];
}

/** Opens instance `instanceId`'s channel (its listening connection named `channel <instanceId>`), closed when the test finishes. */
async function openInstance(url: string, database: PostgresDatabase, instanceId: string): Promise<Instance> {
  const errors: unknown[] = [];
  const channel = await openClusterChannel({
    url,
    applicationName: `channel ${instanceId}`,
    statementTimeoutMs: 10_000,
    pool: database.pool,
    onError: (error) => errors.push(error),
  });
  onTestFinished(() => channel.close());
  const heard: ClusterNews[] = [];
  channel.listen((news) => heard.push(news));
  return { channel, heard, errors };
}

/** The pid of instance `instanceId`'s listening connection, or undefined while there is none. */
async function listenerPid(url: string, instanceId: string): Promise<number | undefined> {
  const rows = await postgresQuery<{ pid: number }>(
    url,
    "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%' AND datname = current_database()",
    [`channel ${instanceId}`],
  );
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0]?.pid;
}

const miningFrom = (instance: string, index: number): MiningNews => ({
  instance,
  boot: `boot of ${instance}`,
  mine: 1,
  state: 'MINING',
  index,
  difficulty: 3,
  attempts: 12_345,
  elapsedMs: 678,
});

const count = (heard: readonly ClusterNews[], type: ClusterNews['type']): number => heard.filter((news) => news.type === type).length;

/**
 * Sends a blocks notification from another connection and waits until every
 * given instance hears it: notifications reach a listener in commit order, so
 * by then each has heard everything committed before it.
 */
async function flush(url: string, ...instances: Instance[]): Promise<void> {
  const before = instances.map(({ heard }) => count(heard, 'blocks'));
  await postgresQuery(url, "SELECT pg_notify('ledger_blocks', '')");
  await vi.waitFor(() => instances.forEach(({ heard }, i) => expect(count(heard, 'blocks')).toBeGreaterThan(before[i]!)), WAIT);
}

describeOnPostgres('PostgreSQL cluster channel', () => {
  it('opens once its probe is heard, and wakes listeners when blocks are committed by another connection', async () => {
    const { url, database } = await freshDatabase();
    const a = await openInstance(url, database, 'a');
    expect(a.channel.connected()).toBe(true);
    expect(await listenerPid(url, 'a')).toEqual(expect.any(Number));

    // The real path: the blocks table's trigger notifies on commit.
    const [genesis] = buildChain(1);
    const other = await openPostgresDatabase(url, { poolSize: 1 });
    try {
      expect(await createPostgresChainRepository(other).initialize(genesis!)).toBe(true);
    } finally {
      await other.close();
    }
    await vi.waitFor(() => expect(a.heard).toContainEqual({ type: 'blocks' }), WAIT);

    // And a bare notification on the channel, as any other writer's would be.
    const heardBefore = count(a.heard, 'blocks');
    await postgresQuery(url, "SELECT pg_notify('ledger_blocks', '')");
    await vi.waitFor(() => expect(count(a.heard, 'blocks')).toBe(heardBefore + 1), WAIT);
    expect(a.heard.every((news) => news.type === 'blocks')).toBe(true);
    expect(a.errors).toEqual([]);
  });

  it("carries one instance's mining news to the others, never back to itself", async () => {
    const { url, database } = await freshDatabase();
    const a = await openInstance(url, database, 'a');
    const b = await openInstance(url, database, 'b');

    const fromB = miningFrom('b', 7);
    b.channel.publishMining(fromB);
    await vi.waitFor(() => expect(a.heard).toContainEqual({ type: 'mining', news: fromB }), WAIT);

    const fromA = { ...miningFrom('a', 8), state: 'MINED' } as const;
    a.channel.publishMining(fromA);
    await vi.waitFor(() => expect(b.heard).toContainEqual({ type: 'mining', news: fromA }), WAIT);

    // Both publications are committed now; once both hear a later notification, neither can still hear its own.
    await flush(url, a, b);
    expect(a.heard.filter((news) => news.type === 'mining')).toEqual([{ type: 'mining', news: fromB }]);
    expect(b.heard.filter((news) => news.type === 'mining')).toEqual([{ type: 'mining', news: fromA }]);
  });

  it('reconnects by itself when its listening connection is terminated, tells listeners, and hears again', async () => {
    const { url, database } = await freshDatabase();
    const a = await openInstance(url, database, 'a');
    const first = await listenerPid(url, 'a');
    expect(first).toEqual(expect.any(Number));

    await postgresQuery(url, 'SELECT pg_terminate_backend($1)', [first]);
    await vi.waitFor(() => expect(a.heard).toContainEqual({ type: 'reconnected' }), WAIT);
    expect(a.channel.connected()).toBe(true);
    expect(a.errors).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/dropped/) as string }));
    const second = await listenerPid(url, 'a');
    expect(second).toEqual(expect.any(Number));
    expect(second).not.toBe(first);

    await flush(url, a);
  });

  it('stops listening and publishing on close', async () => {
    const { url, database } = await freshDatabase();
    const a = await openInstance(url, database, 'a');
    const b = await openInstance(url, database, 'b');

    await a.channel.close();
    expect(a.channel.connected()).toBe(false);
    await vi.waitFor(async () => expect(await listenerPid(url, 'a')).toBeUndefined(), WAIT);

    a.channel.publishMining(miningFrom('a', 9));
    await flush(url, b);
    expect(count(b.heard, 'mining')).toBe(0);
    expect(a.heard).toEqual([]);
  });
});
