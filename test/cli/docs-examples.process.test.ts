import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphql, startTestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp-database.js';

const ROOT = resolve(import.meta.dirname, '../..');
const hasShellTools = ['bash', 'curl', 'jq', 'sed'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0);

/** The commands of docs/cli.md's "Examples", in order, each with the exit status its comment announces (`# exit 1: …`), else 0. */
function documentedExamples(): Array<{ command: string; exit: number }> {
  const section = /^## Examples\n[\s\S]*?```sh\n([\s\S]*?)```/m.exec(readFileSync(join(ROOT, 'docs/cli.md'), 'utf8'))?.[1] ?? '';
  return section
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((command) => ({ command, exit: Number(/#.*\bexit (\d+)/.exec(command)?.[1] ?? 0) }));
}

describe("docs/cli.md's examples", () => {
  it('run in order in a new folder, against a server and the built tool, each ending as its comment says', async (context) => {
    if (!hasShellTools) context.skip('needs bash, curl, jq and sed');
    const dir = tempDir();
    // The server the examples back up, on the default DATABASE_PATH (./data/chain.db): two blocks mined, the first with proof 533.
    const server = await startTestServer(join(dir, 'data', 'chain.db'));
    for (let i = 0; i < 2; i++) await graphql(server.url, 'mutation { mineBlock { block { index } } }');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'pow-ledger'), `#!/bin/sh\nexec '${process.execPath}' '${join(ROOT, 'dist/cli/main.js')}' "$@"\n`, {
      mode: 0o755,
    });
    const origin = new URL(server.url).origin;

    const examples = documentedExamples();
    expect(examples.length).toBeGreaterThan(5);
    const outcomes: Array<{ command: string; exit: number }> = [];
    for (const { command } of examples) {
      const exit = await new Promise<number>((resolveExit) =>
        execFile(
          'bash',
          ['-o', 'pipefail', '-c', command.replaceAll('http://localhost:4000', origin)],
          { cwd: dir, env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` } },
          (error) => resolveExit(error === null ? 0 : typeof error.code === 'number' ? error.code : -1),
        ),
      );
      outcomes.push({ command, exit });
    }
    expect(outcomes).toEqual(examples);
  });
});
