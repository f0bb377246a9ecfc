import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Tests kept out of the fast tier: those that start the server or the operator
 * tool as processes (from the build), those that drive headless Chromium, and
 * those that load the machine on purpose.
 */
const SLOW_TESTS = ['test/**/*.process.test.ts', 'test/**/*.browser.test.ts', 'test/**/*.slow.test.ts'];
/** Tests that replace modules (vi.mock): each runs in a fresh module registry. */
const MODULE_MOCKING_TESTS = ['test/cli/cleanup.test.ts'];

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
    // dist/, built once from the current sources: spawned processes run it, and worker threads start from it.
    // And one throwaway PostgreSQL cluster for the run (each test makes its own database in it).
    globalSetup: ['test/build-dist.ts', 'test/postgres-setup.ts'],
    // Test files share their worker's modules: loading graphql-yoga, drizzle
    // and the rest again for each of 50 files cost more CPU than the tests.
    // Every test makes its own database and servers, so nothing else is shared.
    isolate: false,
    // Vitest's default is one worker fewer than the cores: one on this 2-core
    // machine. The in-process tests are CPU-bound, so two; a third only
    // competes for the same cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      // `npm run test:fast`: in-process tests only (no spawned server, no browser), for the edit-test loop.
      {
        extends: true,
        test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: [...SLOW_TESTS, ...MODULE_MOCKING_TESTS] },
      },
      { extends: true, test: { name: 'fast-isolated', include: MODULE_MOCKING_TESTS, isolate: true } },
      { extends: true, test: { name: 'slow', include: SLOW_TESTS } },
    ],
  },
});
