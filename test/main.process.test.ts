import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { validateChain } from '../src/core/chain-validation.js';
import type { Block } from '../src/core/block.js';
import { runMain, startServerProcess } from './helpers/process.js';
import { errorCodes, graphql, startTestServer } from './helpers/server.js';
import { tempDir } from './helpers/temp-database.js';

const MINE = 'mutation { mineBlock { block { index proof hash } } }';

function readChain(path: string): Block[] {
  const connection = new Sqlite(path, { readonly: true });
  try {
    expect(connection.pragma('integrity_check', { simple: true })).toBe('ok');
    return (
      connection
        .prepare('SELECT block_index, timestamp, proof, previous_hash, hash, data, difficulty FROM blocks ORDER BY block_index')
        .all() as Array<Record<string, unknown>>
    ).map((row) => ({
      index: row['block_index'] as number,
      timestamp: row['timestamp'] as string,
      proof: row['proof'] as number,
      previousHash: row['previous_hash'] as string,
      hash: row['hash'] as string,
      data: row['data'] as string | null,
      difficulty: row['difficulty'] as number,
    }));
  } finally {
    connection.close();
  }
}

describe('the server process', () => {
  // Each invalid value's message is tested in-process (test/config.test.ts); this is the process's side of it.
  it('stops on an invalid variable with one line naming it and exit 1, before creating the database', async () => {
    const databasePath = join(tempDir(), 'chain.db');
    const run = runMain({ DATABASE_PATH: databasePath, DIFFICULTY: '13' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/^Invalid configuration: DIFFICULTY must be from 1 to 12 \(got "13"\)\.\n$/);
    expect(existsSync(databasePath)).toBe(false);
  });

  it('stops on a port already taken with one line naming the address and what to do, exit 1, no stack', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => void taken.close());
    const { port } = taken.address() as AddressInfo;
    const run = runMain({ DATABASE_PATH: join(tempDir(), 'chain.db'), PORT: String(port) });
    expect(await run.exited).toBe(1);
    expect(run.output()).toBe(
      `Could not start: 127.0.0.1:${port} is already in use (another server, or this one already running): stop it, or set PORT to a free port.\n`,
    );
  });

  it('creates and migrates the database, and keeps the chain across a restart', async () => {
    const databasePath = join(tempDir(), 'data', 'chain.db');
    const first = await startServerProcess({ DATABASE_PATH: databasePath });
    const mined = await graphql<{ mineBlock: { block: { proof: number } } }>(first.url, MINE);
    expect(mined.body.data!.mineBlock.block.proof).toBe(533);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    // The start-up report (test/startup-report.test.ts), and a clean stop, in plain text.
    expect(first.output()).toMatch(/^INFO Ledger server on http:\/\/127\.0\.0\.1:\d+\/graphql /);
    expect(first.output()).toMatch(/\nINFO Mining with the [a-z]+( \([a-z-]+\))? engine on \d+ thread\(s\)\.\n/);
    expect(first.output()).toMatch(/\nINFO Shut down cleanly\.\n$/);
    expect(first.output()).not.toContain('\x1b[');

    const second = await startServerProcess({ DATABASE_PATH: databasePath });
    const validation = await graphql<{ validate: { valid: boolean; length: number } }>(second.url, '{ validate { valid length } }');
    expect(validation.body.data!.validate).toEqual({ valid: true, length: 2 });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('exits promptly on SIGTERM during a mine, answering it and writing nothing', async () => {
    const databasePath = join(tempDir(), 'chain.db');
    const server = await startServerProcess({ DATABASE_PATH: databasePath, DIFFICULTY: '9' });
    const mine = graphql(server.url, MINE);
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.child.kill('SIGTERM');
    const answer = await mine;
    expect(answer.status).toBe(503);
    expect(errorCodes(answer)).toEqual(['SHUTTING_DOWN']);
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/SIGTERM: abandoning any mine in progress[^]*Shut down cleanly\./);
    expect(readChain(databasePath)).toHaveLength(1);
  });

  it('on SIGTERM turns not-ready first and keeps serving for SHUTDOWN_DRAIN_SECONDS, then exits cleanly; JSON logs name the instance', async () => {
    const server = await startServerProcess({
      DATABASE_PATH: join(tempDir(), 'chain.db'),
      SHUTDOWN_DRAIN_SECONDS: '2',
      INSTANCE_ID: 'drainer',
      LOG_FORMAT: 'json',
    });
    const probe = async (path: string): Promise<{ status: number; body: unknown }> => {
      const response = await fetch(server.url.replace('/graphql', path));
      return { status: response.status, body: await response.json() };
    };
    expect(await probe('/readyz')).toMatchObject({ status: 200, body: { status: 'ready', instance: 'drainer' } });
    server.child.kill('SIGTERM');
    await expect.poll(async () => (await probe('/readyz')).status, { timeout: 1500, interval: 20 }).toBe(503);
    // Still serving while the load balancer notices: alive, and answering queries.
    expect(await probe('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const tip = await graphql(server.url, '{ tip { index } }');
    expect(tip.status).toBe(200);
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/SIGTERM: not ready; serving 2 s more[^]*Shut down cleanly\./);
    const lines = server.output().trim().split('\n');
    for (const line of lines) {
      const entry = JSON.parse(line) as { instance?: unknown; level?: unknown; msg?: unknown };
      expect(entry.instance).toBe('drainer');
      expect(['info', 'warn', 'error', 'debug']).toContain(entry.level);
      expect(typeof entry.msg).toBe('string');
    }
  });

  it('two processes mining on one file never fork the chain', async () => {
    const databasePath = join(tempDir(), 'chain.db');
    const first = await startServerProcess({ DATABASE_PATH: databasePath, DIFFICULTY: '3' });
    const second = await startServerProcess({ DATABASE_PATH: databasePath, DIFFICULTY: '3' });
    const responses = await Promise.all(Array.from({ length: 16 }, (_, i) => graphql(i % 2 === 0 ? first.url : second.url, MINE)));
    expect(responses.flatMap((response) => response.body.errors ?? [])).toEqual([]);
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
    expect(await Promise.all([first.exited, second.exited])).toEqual([0, 0]);
    const chain = readChain(databasePath);
    expect(chain).toHaveLength(17);
    expect(validateChain(chain).valid).toBe(true);
  });

  it('never writes the mining token to its output', async () => {
    const token = 'a-secret-mining-token-1234';
    const server = await startServerProcess({ DATABASE_PATH: join(tempDir(), 'chain.db'), MINING_TOKEN: token });
    const mine = (authorization: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: MINE }),
      });
    expect((await mine(`Bearer ${token}x`)).status).toBe(401);
    expect((await mine(`Bearer ${token}`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).not.toContain(token);
  });

  it('starts on a tampered database, says so loudly, and serves it read-only', async () => {
    const databasePath = join(tempDir(), 'chain.db');
    const first = await startTestServer(databasePath);
    await graphql(first.url, MINE);
    await first.close();
    const attacker = new Sqlite(databasePath);
    attacker.exec("DROP TRIGGER blocks_no_update; UPDATE blocks SET data = 'forged' WHERE block_index = 1");
    attacker.close();

    const second = await startServerProcess({ DATABASE_PATH: databasePath });
    await expect.poll(() => second.output()).toMatch(/STORED CHAIN IS NOT VALID: 1 problem\(s\), first at block 1/);
    const read = await graphql<{ block: { data: string } }>(second.url, '{ block(index: 1) { data } }');
    expect(read.body.data!.block.data).toBe('forged');
    expect(errorCodes(await graphql(second.url, MINE))).toEqual(['CHAIN_INVALID']);
  });
});
