import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { builtFromCurrentSources } from '../../src/shared/build-stamp.js';
import { startWorker } from '../../src/shared/start-worker.js';

describe('startWorker', () => {
  it('starts a worker that lives outside src/ from its TypeScript, even when dist/ is current', async () => {
    // The global setup built dist/ from these sources: a worker of src/ would start from it.
    expect(builtFromCurrentSources()).toBe(true);
    const worker = startWorker(new URL('../fixtures/workers/echo.ts', import.meta.url).href, 'echo-worker', { workerData: 'hello' });
    try {
      const [reply] = (await once(worker, 'message')) as [unknown];
      expect(reply).toEqual({ echo: 'hello' });
    } finally {
      await worker.terminate();
    }
  });
});
