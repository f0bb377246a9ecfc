import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (main) and ESM (module) copies. Node, and so
    // graphql-yoga, loads the CommonJS one; Vite would hand our sources the ESM
    // one, and `instanceof GraphQLError` would fail across the two copies.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Tests mine real blocks and start worker threads and servers: no timing
    // assertions, but generous limits on a shared two-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
