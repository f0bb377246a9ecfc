/**
 * GraphiQL (served at /graphql) running a subscription in a real browser:
 * yoga's GraphiQL sends subscriptions as GET requests unless told otherwise,
 * which CSRF prevention refuses; ours is told to POST.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { GRAPHIQL_OPTIONS } from '../../src/yoga/graphiql.js';
import { launchChromium, requireChromium } from '../helpers/chromium.js';
import { graphql, startTestServer, IN_MEMORY } from '../helpers/server.js';
import { leftovers, nothingLeft, until } from '../helpers/subscription-clients.js';

describe('GraphiQL and subscriptions', () => {
  it('sends operations as JSON POSTs, which CSRF prevention lets through', () => {
    expect(GRAPHIQL_OPTIONS.method).toBe('POST');
  });

  it('runs miningProgress over Server-Sent Events in Chromium, to the MINED update', async (context) => {
    requireChromium(context);
    const server = await startTestServer(IN_MEMORY, { difficulty: 1, miningThreads: 1 });
    const browser = await launchChromium();
    onTestFinished(() => browser.close());
    const page = await browser.newPage();
    const subscriptionRequests: Array<{ method: string; status: number }> = [];
    page.on('response', (response) => {
      if (response.request().headers()['accept'] === 'text/event-stream')
        subscriptionRequests.push({ method: response.request().method(), status: response.status() });
    });
    const query = 'subscription { miningProgress { index state block { index } } }';
    await page.goto(`${server.url}?query=${encodeURIComponent(query)}`);
    await page.locator('.graphiql-execute-button').click();
    await until(() => leftovers(server).miningProgress === 1, 'GraphiQL has subscribed');
    await graphql(server.url, 'mutation { mineBlock { block { index } } }');
    await page.waitForFunction(() => document.querySelector('.graphiql-response')?.textContent?.includes('MINED'));
    // The response editor's text, with its layout (and non-breaking spaces) squeezed out.
    const shown = ((await page.locator('.graphiql-response').textContent()) ?? '').replace(/\s+/g, '');
    expect(shown).toBe('{"data":{"miningProgress":{"index":1,"state":"MINED","block":{"index":1}}}}');
    expect(subscriptionRequests).toEqual([{ method: 'POST', status: 200 }]);
    await until(nothingLeft(server), 'no listener or subscriber is left');
  });
});
