/**
 * A page with an opaque origin (a sandboxed iframe: Origin: null, as data: and
 * file: pages send) tries to mine on the server, with two origins configured.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { launchChromium, requireChromium } from '../helpers/chromium.js';
import { IN_MEMORY, startTestServer } from '../helpers/server.js';

describe('a sandboxed page in Chromium', () => {
  it('cannot mine or read through CORS when two origins are configured', async (context) => {
    requireChromium(context);
    const server = await startTestServer(IN_MEMORY, {
      corsOrigins: ['http://one.test', 'http://two.test'],
      difficulty: 1,
      miningThreads: 1,
    });
    const browser = await launchChromium();
    onTestFinished(() => browser.close());
    const page = await browser.newPage();
    const attempt = (
      body: string,
    ) => `fetch(${JSON.stringify(server.url)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(body)} })
      .then((response) => response.text()).then((text) => 'read: ' + text, (error) => 'refused: ' + error.name)`;
    const script = `Promise.all([${attempt('{"query":"mutation { mineBlock { block { index } } }"}')}, ${attempt('{"query":"{ tip { index } }"}')}])
      .then((results) => parent.postMessage(results, '*'))`;
    await page.setContent('<p>host page</p>');
    const results = await page.evaluate(
      (srcdoc) =>
        new Promise<string[]>((resolve) => {
          window.addEventListener('message', (event: MessageEvent<string[]>) => resolve(event.data));
          const frame = document.createElement('iframe');
          frame.setAttribute('sandbox', 'allow-scripts');
          frame.srcdoc = srcdoc;
          document.body.append(frame);
        }),
      `<script>${script}</script>`,
    );
    expect(results).toEqual(['refused: TypeError', 'refused: TypeError']);
    expect(await server.app.ledger.length()).toBe(1);
  });
});
