import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IN_MEMORY, startTestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-database.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The TypeScript example of docs/explorer-and-client.md, importing the client from this checkout and talking to `url`. */
function documentedExample(url: string): string {
  const example = /^## A typed client for frontends\n[\s\S]*?```ts\n([\s\S]*?)```/m.exec(
    readFileSync(join(ROOT, 'docs/explorer-and-client.md'), 'utf8'),
  )?.[1];
  if (example === undefined) throw new Error('no TypeScript example in docs/explorer-and-client.md');
  return example
    .replace("'./client/index.js'", JSON.stringify(join(ROOT, 'client/index.js')))
    .replace('http://localhost:4000/graphql', url);
}

describe("docs/explorer-and-client.md's typed-client example", () => {
  it('runs against a real server and prints the block it mined, from the mutation and from the subscription', async () => {
    const server = await startTestServer(IN_MEMORY);
    const file = join(tempDir(), 'example.mts');
    writeFileSync(file, documentedExample(server.url));
    const stdout = await new Promise<string>((resolveOutput, reject) =>
      execFile(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, timeout: 30_000 }, (error, out, err) =>
        error === null ? resolveOutput(out) : reject(new Error(`the example failed: ${err}`, { cause: error })),
      ),
    );
    const hash = (await server.app.ledger.blockAt(1))?.hash;
    expect(stdout).toMatch(/^1 \d+$/m);
    expect(stdout).toContain(`new block 1 ${hash}\n`);
  });
});
