import { spawnSync } from 'node:child_process';
import { mkdirSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { errorCodes, graphql, startTestServer } from '../helpers/server.js';
import { secondConnection, tempDir, tempDatabasePath } from '../helpers/temp-database.js';

const MINE = 'mutation ($data: String) { mineBlock(data: $data) { block { index hash } } }';

describe('a database locked by another process', () => {
  it('answers mines DB_BUSY with Retry-After after the wait, and keeps answering reads', async () => {
    const path = tempDatabasePath();
    const { url } = await startTestServer(path);
    await graphql(url, MINE);
    const other = secondConnection(path);
    other.exec('BEGIN IMMEDIATE');
    const mining = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: MINE }) });
    // While the mine waits for the lock, reads are answered (WAL readers do not wait for writers).
    let readsWhileWaiting = 0;
    let settled = false;
    void mining.finally(() => (settled = true));
    while (!settled) {
      const read = await graphql<{ tip: { index: number } }>(url, '{ tip { index } }');
      expect(read.body.data!.tip.index).toBe(1);
      readsWhileWaiting += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const refused = await mining;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('DB_BUSY');
    expect(readsWhileWaiting).toBeGreaterThan(5);
    other.exec('ROLLBACK');
    expect(errorCodes(await graphql(url, MINE))).toEqual([]);
  });
});

/** A small tmpfs of our own, or null (with a notice) where this machine will not mount one. */
function mountSmallFilesystem(sizeKiB: number): string | null {
  const mountPoint = join(tempDir(), 'small-disk');
  mkdirSync(mountPoint);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', mountPoint], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    console.warn(`NOTICE: cannot mount a tmpfs here (${mounted.stderr.trim() || 'mount failed'}); skipping the disk-full test.`);
    return null;
  }
  onTestFinished(() => void spawnSync('umount', ['-l', mountPoint]));
  return mountPoint;
}

describe('a full disk', () => {
  it('answers STORAGE_FULL, keeps serving reads, loses nothing, and mines again once space returns', async (context) => {
    const mountPoint = mountSmallFilesystem(1024);
    if (mountPoint === null) return context.skip();
    const path = join(mountPoint, 'chain.db');
    const server = await startTestServer(path, { difficulty: 1, dataMaxBytes: 65_536 });
    // Fill the disk up to about 300 KiB with a file we can delete later.
    const filler = join(mountPoint, 'filler');
    const free = () => Number(spawnSync('df', ['--output=avail', '-k', mountPoint], { encoding: 'utf8' }).stdout.split('\n')[1]);
    const fd = openSync(filler, 'w');
    writeSync(fd, Buffer.alloc(Math.max(0, free() - 300) * 1024));
    closeSync(fd);

    const acknowledged = new Map<number, string>();
    let full: Awaited<ReturnType<typeof graphql>> | null = null;
    for (let i = 0; i < 40 && full === null; i++) {
      const response = await graphql<{ mineBlock: { block: { index: number; hash: string } } }>(server.url, MINE, {
        data: 'x'.repeat(60_000),
      });
      if (response.body.errors) full = response;
      else acknowledged.set(response.body.data!.mineBlock.block.index, response.body.data!.mineBlock.block.hash);
    }
    expect(full).not.toBeNull();
    expect(full!.status).toBe(507);
    expect(errorCodes(full!)).toEqual(['STORAGE_FULL']);
    expect(acknowledged.size).toBeGreaterThan(0);

    // Reads keep working, and every acknowledged block is there.
    for (const [index, hash] of acknowledged) {
      const read = await graphql<{ block: { hash: string } }>(server.url, `{ block(index: ${index}) { hash } }`);
      expect(read.body.data!.block.hash).toBe(hash);
    }
    const validation = await graphql<{ validate: { valid: boolean; length: number } }>(server.url, '{ validate { valid length } }');
    expect(validation.body.data!.validate).toEqual({ valid: true, length: acknowledged.size + 1 });

    rmSync(filler);
    expect(statSync(path).size).toBeGreaterThan(0);
    const resumed = await graphql<{ mineBlock: { block: { index: number } } }>(server.url, MINE, { data: 'after the disk was freed' });
    expect(resumed.body.errors).toBeUndefined();
    expect(resumed.body.data!.mineBlock.block.index).toBe(acknowledged.size + 1);
    await server.close();
  });
});
