import pg from 'pg';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { findPostgresBinaries, startThrowawayPostgres } from '../../scripts/throwaway-postgres.js';
import { POSTGRES_MIGRATIONS_FOLDER } from '../../src/storage/postgres/database.js';
import {
  eventually,
  followBlocks,
  mineOn,
  queryOn,
  startInstances,
  turnHolder,
  type Instance,
  type MineAnswer,
} from '../helpers/cluster.js';
import { describeOnPostgres, freshPostgresUrl, postgresQuery } from '../helpers/postgres.js';

const shippedMigrations = (): number =>
  (JSON.parse(readFileSync(join(POSTGRES_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;

interface StoredBlock {
  readonly block_index: number;
  readonly hash: string;
  readonly previous_hash: string;
}

/** The stored chain as rows (block_index is a bigint: read as text, mapped to a number). */
const storedChain = async (url: string): Promise<StoredBlock[]> =>
  (
    await postgresQuery<StoredBlock & { block_index: string }>(
      url,
      'SELECT block_index, hash, previous_hash FROM blocks ORDER BY block_index',
    )
  ).map((row) => ({ ...row, block_index: Number(row.block_index) }));

async function validate(instance: Instance): Promise<{ valid: boolean; length: number }> {
  return (await queryOn<{ validate: { valid: boolean; length: number } }>(instance.url, '{ validate { valid length } }')).validate;
}

const ready = async (instance: Instance): Promise<{ status: number; body: { checks?: { notifications?: string } } }> => {
  const response = await fetch(instance.url.replace('/graphql', '/readyz'));
  return { status: response.status, body: (await response.json()) as { checks?: { notifications?: string } } };
};

/** A lease short enough for a test; a slow engine and difficulty 5, so that a mine lasts long enough to catch its instance holding the turn. */
const SLOW_MINES = { MINER: 'js', DIFFICULTY: '5', MINING_LEASE_SECONDS: '2' };
const LEASE_MS = 2000;

/**
 * Starts a mine on `holder`, waits until it holds the cluster's turn and
 * freezes it there (SIGSTOP) while it searches: a mine caught after its
 * block was stored, or that ended before it was caught, is let go and
 * another one tried.
 */
async function freezeWhileSearching(url: string, holder: Instance): Promise<{ readonly mining: Promise<MineAnswer> }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const lengthBefore = (await storedChain(url)).length;
    let settled = false;
    const mining = mineOn(holder.url).finally(() => (settled = true));
    const seen = await eventually(
      async () => ((await turnHolder(url)) === holder.id ? 'held' : settled ? 'done' : null),
      'the mine holds the turn',
    );
    if (seen === 'held') {
      holder.child.kill('SIGSTOP');
      // Wrapped: an async function returning a promise would wait for it.
      if ((await storedChain(url)).length === lengthBefore) return { mining };
      holder.child.kill('SIGCONT');
    }
    await mining;
  }
  throw new Error(`instance ${holder.id} was never caught searching while holding the turn`);
}

describeOnPostgres('several instances on one PostgreSQL', () => {
  it('start together on an empty database (one genesis, migrated once) and turn 60 concurrent mines into 60 consecutive blocks that every subscriber gets in order', async () => {
    const url = await freshPostgresUrl();
    const instances = await startInstances(url, ['a', 'b', 'c']);
    const chain = await storedChain(url);
    expect(chain).toHaveLength(1);
    const applied = await postgresQuery<{ count: string }>(url, 'SELECT count(*) FROM drizzle.__drizzle_migrations');
    expect(Number(applied[0]!.count)).toBe(shippedMigrations());
    for (const instance of instances)
      expect(await ready(instance)).toMatchObject({ status: 200, body: { checks: { notifications: 'connected' } } });

    for (const instance of instances)
      expect(instance.output()).toContain(`Instance ${instance.id}: takes mining turns with every instance`);
    const followers = await Promise.all(instances.map((instance) => followBlocks(instance.url)));
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => mineOn(instances[i % 3]!.url, `mine ${i}`)));
    expect(answers.map((answer) => answer.code)).toEqual(Array(60).fill(null));
    const indices = answers.map((answer) => answer.block!.index).sort((x, y) => x - y);
    expect(indices).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));

    const stored = await storedChain(url);
    expect(stored).toHaveLength(61);
    // Each answer is its own block, as stored; the blocks link one to the next (no fork can be stored).
    for (const answer of answers) expect(stored[answer.block!.index]!.hash).toBe(answer.block!.hash);
    for (let i = 1; i < stored.length; i++) expect(stored[i]!.previous_hash).toBe(stored[i - 1]!.hash);
    for (const follower of followers) expect(await follower.received(60)).toEqual(indices);
    expect(await validate(instances[1]!)).toEqual({ valid: true, length: 61 });

    // One mining thread each: a mine that never searched twice hashed exactly its proof's worth of candidates.
    const metrics = await Promise.all(
      instances.map(async (instance) => (await fetch(instance.url.replace('/graphql', '/metrics'))).text()),
    );
    const mined = metrics.map((text) => Number(/^ledger_mines_total\{outcome="mined"[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0));
    expect(mined.reduce((sum, count) => sum + count, 0)).toBe(60);
    for (const follower of followers) follower.close();
  });

  it('lets another instance mine within a lease when the one holding the turn is frozen (SIGSTOP), and the frozen one appends no fork when it wakes', async () => {
    const url = await freshPostgresUrl();
    const [a, b] = await startInstances(url, ['a', 'b'], SLOW_MINES);
    const { mining: frozenMine } = await freezeWhileSearching(url, a!);
    const frozenAt = performance.now();
    try {
      const otherMine = mineOn(b!.url);
      await eventually(async () => ((await turnHolder(url)) === 'b' ? true : null), 'b takes the turn', 20_000);
      // The session of a frozen holder ends after a lease of silence; the margin is for a loaded machine.
      expect(performance.now() - frozenAt).toBeLessThan(LEASE_MS + 4000);
      const other = await otherMine;
      expect(other.code).toBeNull();
      a!.child.kill('SIGCONT');
      const woken = await frozenMine;
      expect(woken.code).toBeNull();
      expect(woken.block!.index).toBe(other.block!.index + 1);
      expect(woken.block!.previousHash).toBe(other.block!.hash);
    } finally {
      a!.child.kill('SIGCONT');
    }
    const stored = await storedChain(url);
    expect(stored.at(-1)?.hash).toBe((await frozenMine).block!.hash);
    expect(await validate(b!)).toEqual({ valid: true, length: stored.length });
  });

  it('lets another instance mine at once when the one holding the turn is killed (SIGKILL), leaving nothing half-written', async () => {
    const url = await freshPostgresUrl();
    const [a, b] = await startInstances(url, ['a', 'b'], SLOW_MINES);
    const { mining: killedMine } = await freezeWhileSearching(url, a!);
    const length = (await storedChain(url)).length;
    a!.child.kill('SIGKILL');
    expect((await killedMine).code).toBe('FETCH_FAILED');
    const other = await mineOn(b!.url);
    expect(other.code).toBeNull();
    expect(other.block!.index).toBe(length);
    const stored = await storedChain(url);
    expect(stored.map((block) => block.block_index)).toEqual(Array.from({ length: length + 1 }, (_, i) => i));
    expect(await validate(b!)).toEqual({ valid: true, length: length + 1 });
  });

  it('loses nothing acknowledged when PostgreSQL restarts mid-run, and recovers by itself: mines, subscribers and readiness', async () => {
    const cluster = await startThrowawayPostgres(findPostgresBinaries()!);
    try {
      const admin = new pg.Client({ connectionString: cluster.url() });
      await admin.connect();
      await admin.query('CREATE DATABASE restart');
      await admin.end();
      const url = cluster.url('restart');
      const instances = await startInstances(url, ['a', 'b', 'c']);
      const followers = await Promise.all(instances.map((instance) => followBlocks(instance.url)));
      const acknowledged: MineAnswer[] = [];
      let stop = false;
      const miners = instances.map(async (instance) => {
        while (!stop) {
          const answer = await mineOn(instance.url);
          if (answer.block !== null) acknowledged.push(answer);
          else await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });
      await eventually(() => Promise.resolve(acknowledged.length >= 10 ? true : null), '10 blocks are mined');
      await cluster.halt('fast');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await cluster.resume();
      const before = acknowledged.length;
      await eventually(
        () => Promise.resolve(acknowledged.length >= before + 10 ? true : null),
        '10 more blocks are mined after the restart',
      );
      stop = true;
      await Promise.all(miners);

      const stored = await storedChain(url);
      for (const answer of acknowledged) expect(stored[answer.block!.index]?.hash).toBe(answer.block!.hash);
      for (let i = 1; i < stored.length; i++) expect(stored[i]!.previous_hash).toBe(stored[i - 1]!.hash);
      const all = Array.from({ length: stored.length - 1 }, (_, i) => i + 1);
      for (const follower of followers) expect(await follower.received(all.length)).toEqual(all);
      for (const instance of instances) {
        await eventually(
          async () => ((await ready(instance)).body.checks?.notifications === 'connected' ? true : null),
          'notifications reconnect',
        );
        expect((await ready(instance)).status).toBe(200);
      }
      for (const follower of followers) follower.close();
    } finally {
      await cluster.stop();
    }
  });
});
