import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests mine real blocks and start worker threads and servers: no timing
    // assertions, but generous limits on a shared two-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
