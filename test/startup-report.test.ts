import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { Logger } from '../src/logger.js';
import { reportStartup } from '../src/startup-report.js';
import { availableEngines } from './helpers/engines.js';
import { IN_MEMORY, graphql, startTestServer } from './helpers/server.js';
import { tamper, tempDatabasePath } from './helpers/temp-database.js';

const MINE = 'mutation { mineBlock { block { proof } } }';
const DEFAULTS = loadConfig({});

/** A logger that keeps its lines, as `LEVEL message`. */
function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (...args: unknown[]): void =>
      void lines.push(`${level} ${args.map(String).join(' ')}`);
  return { lines, debug: record('DEBUG'), info: record('INFO'), warn: record('WARN'), error: record('ERR') };
}

describe('the start-up report', () => {
  it('says where the server answers, on which database and difficulty', async () => {
    const server = await startTestServer(IN_MEMORY, { difficulty: 3 });
    const logger = recordingLogger();
    reportStartup(logger, server, { ...DEFAULTS, difficulty: 3 });
    expect(logger.lines[0]).toMatch(
      /^INFO Ledger server on http:\/\/127\.0\.0\.1:\d+\/graphql .*WebSocket at ws:\/\/127\.0\.0\.1:\d+\/graphql\); database :memory:; difficulty 3$/,
    );
    expect(logger.lines[1]).toMatch(/^INFO Block explorer at http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(logger.lines[2]).toBe(`INFO Connections: at most ${server.maxConnections}, 64 per client, of them 16 WebSocket(s).`);
  });

  it('says when MAX_CONNECTIONS was lowered to stay below the open-file limit', async () => {
    const config = loadConfig({ MAX_CONNECTIONS: '1000000' });
    const server = await startTestServer(IN_MEMORY, { maxConnections: config.maxConnections }, { descriptorLimit: 20_000 });
    const logger = recordingLogger();
    reportStartup(logger, server, config);
    expect(server.maxConnections).toBe(19_744);
    expect(logger.lines).toContain(
      'INFO Connections: at most 19744 (MAX_CONNECTIONS=1000000 lowered to stay below the open-file limit), 64 per client, of them 16 WebSocket(s).',
    );
  });

  it.each(availableEngines())('names the %s engine when MINER names it, and the threads; the server mines with it', async (engine) => {
    const server = await startTestServer(IN_MEMORY, { miner: engine, miningThreads: 2 });
    const logger = recordingLogger();
    reportStartup(logger, server, { ...DEFAULTS, difficulty: 4 });
    expect(logger.lines).toContainEqual(
      expect.stringMatching(new RegExp(`^INFO Mining with the ${engine}( \\([a-z-]+\\))? engine on 2 thread\\(s\\)\\.$`)),
    );
    const mined = await graphql<{ mineBlock: { block: { proof: number } } }>(server.url, MINE);
    expect(mined.body.data!.mineBlock.block.proof).toBe(533);
  });

  it('reports a stored chain that does not validate, in capitals, once the check is done', async () => {
    const path = tempDatabasePath();
    const first = await startTestServer(path);
    await graphql(first.url, MINE);
    await first.close();
    tamper(path, "UPDATE blocks SET data = 'forged' WHERE block_index = 1");

    const server = await startTestServer(path);
    const logger = recordingLogger();
    reportStartup(logger, server, { ...DEFAULTS, difficulty: 4 });
    await expect
      .poll(() => logger.lines)
      .toContainEqual(
        expect.stringMatching(
          /^ERR STORED CHAIN IS NOT VALID: 1 problem\(s\), first at block 1: .* Reads are served; mining is refused until it validates\.$/,
        ),
      );
    expect(logger.lines).toContain('INFO Database file passes SQLite quick_check.');
  });
});
