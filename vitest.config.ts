import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/*
 * The test tiers (docs/testing.md), told apart by file name:
 *   *.test.ts            fast: in-process, SQLite or no database
 *   *.engines.test.ts    once per storage engine: the SQLite half in fast, the PostgreSQL half in postgres
 *   *.postgres.test.ts   postgres: PostgreSQL only
 *   *.process.test.ts, *.browser.test.ts, *.slow.test.ts
 *                        slow: spawned processes, headless Chromium, file systems mounted or the machine loaded on purpose
 * `npm run test:fast` runs the first tier, `npm run test:pg` the second, `npm test` all three.
 */
const SLOW_TESTS = ['test/**/*.process.test.ts', 'test/**/*.browser.test.ts', 'test/**/*.slow.test.ts'];
const POSTGRES_TESTS = ['test/**/*.postgres.test.ts'];
const ENGINE_TESTS = ['test/**/*.engines.test.ts'];

/** dist/, built once from the current sources: spawned processes run it, and worker threads start from it. */
const BUILD = 'test/build-dist.ts';
/** One throwaway PostgreSQL cluster for the project's run (each test makes its own database in it). */
const POSTGRES = 'test/postgres-setup.ts';

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (main) and ESM (module) copies. Node, and so
    // graphql-yoga, loads the CommonJS one; Vite would hand our sources the ESM
    // one, and `instanceof GraphQLError` would fail across the two copies.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    // Tests mine real blocks and start worker threads and servers: no timing
    // assertions, but generous limits on a shared two-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['test/setup.ts'],
    // Last in the output: how many tests were skipped, and what they need (PostgreSQL, Chromium).
    reporters: ['default', './test/skipped-summary-reporter.ts'],
    // Test files share their worker's modules: loading graphql-yoga, drizzle
    // and the rest again for each of 50 files cost more CPU than the tests.
    // Every test makes its own database and servers, so nothing else is shared.
    isolate: false,
    // Vitest's default is one worker fewer than the cores: one on this 2-core
    // machine. The in-process tests are CPU-bound, so two; a third only
    // competes for the same cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: {
          name: 'fast',
          include: ['test/**/*.test.ts'],
          exclude: [...SLOW_TESTS, ...POSTGRES_TESTS],
          globalSetup: [BUILD],
          provide: { engines: ['sqlite'], postgresUrl: null },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: [...POSTGRES_TESTS, ...ENGINE_TESTS],
          globalSetup: [BUILD, POSTGRES],
          provide: { engines: ['postgres'] },
        },
      },
      {
        extends: true,
        test: { name: 'slow', include: SLOW_TESTS, globalSetup: [BUILD, POSTGRES], provide: { engines: ['sqlite', 'postgres'] } },
      },
    ],
  },
});
