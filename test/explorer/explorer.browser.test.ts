/**
 * The block explorer in a real browser: Debian's chromium driven by
 * playwright-core (see ../shared/NOTES.md). Skipped, with a notice, where
 * Chromium is not installed; .ci/run installs it.
 *
 * UPDATE_SCREENSHOTS=1 also writes docs/explorer-desktop.png and
 * docs/explorer-phone.png (the README's pictures); other runs write nothing.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MineBlockDocument, createLedgerClient, type LedgerClient } from '../../client/index.js';
import type { Config } from '../../src/config.js';
import { hasChromium, launchChromium, requireChromium } from '../helpers/chromium.js';
import { tamper, tempDatabasePath } from '../helpers/temp-database.js';
import { startExplorerServer } from './explorer-server.js';

const UPDATE_SCREENSHOTS = process.env['UPDATE_SCREENSHOTS'] === '1';
const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let browser: Browser | undefined;

beforeAll(async () => {
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

interface Explorer {
  readonly page: Page;
  readonly client: LedgerClient;
  readonly path: string;
  /** Script errors and console errors (a CSP violation is one) seen so far. */
  readonly problems: string[];
}

/** A fresh chain with `blocks` mined (with `data` for each), and the page open on it. */
async function openExplorer({
  blocks = 0,
  data = (): string | null => null,
  viewport = DESKTOP,
  config = {},
}: {
  blocks?: number;
  data?: (index: number) => string | null;
  viewport?: { width: number; height: number };
  config?: Partial<Config>;
} = {}): Promise<Explorer> {
  const path = tempDatabasePath();
  const { origin, server } = await startExplorerServer(path, config);
  const client = createLedgerClient({ url: server.url });
  for (let index = 1; index <= blocks; index++) await client.request(MineBlockDocument, { data: data(index) });
  const page = await browser!.newPage({ viewport });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.goto(`${origin}/`);
  await page.waitForSelector('#blocks > li');
  return { page, client, path, problems };
}

const blockIndexes = (page: Page): Promise<number[]> =>
  page.locator('#blocks > li').evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-index'))));

const attribute = (page: Page, selector: string, name: string): Promise<string | null> => page.locator(selector).getAttribute(name);

const progressValue = (page: Page): Promise<number> => page.locator('#progress-bar').evaluate((bar) => (bar as HTMLProgressElement).value);

/** Waits for the page's live subscription (blockMined) to be open. */
const live = (page: Page): Promise<unknown> => page.waitForSelector('#stat-live[data-live="on"]');

/** Whether the document scrolls sideways at this window size. */
const horizontalOverflow = (page: Page): Promise<number> =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

describe('the block explorer in Chromium', () => {
  beforeEach((context) => requireChromium(context));
  it('shows the chain newest first, each block valid at a glance, and pages through it', async () => {
    const { page, problems } = await openExplorer({ blocks: 12, data: (index) => (index % 3 === 0 ? `payload ${index}` : null) });
    await page.waitForSelector('#verdict[data-verdict="valid"]');
    expect(await blockIndexes(page)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(await page.locator('#blocks > li[data-state="valid"]').count()).toBe(10);
    expect(await page.locator('.link-intact').count()).toBe(10);
    expect(await page.locator('#block-12 h3').textContent()).toBe('Block #12');
    expect(await page.locator('#block-12').textContent()).toContain('payload 12');
    expect(await page.locator('#stat-length').textContent()).toBe('13');
    expect(await page.getByRole('button', { name: 'Newer' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => blockIndexes(page)).toEqual([2, 1, 0]);
    expect(await page.getByRole('button', { name: 'Older' }).isDisabled()).toBe(true);
    expect(await page.locator('#block-0').textContent()).toContain('(genesis)');
    await page.getByRole('button', { name: 'Newer' }).click();
    await expect.poll(() => blockIndexes(page)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(problems).toEqual([]);
  });

  it('shows blocks mined elsewhere as they arrive (blockMined), without a reload', async () => {
    const { page, client, problems } = await openExplorer({ blocks: 1 });
    await live(page);
    const { mineBlock } = await client.request(MineBlockDocument, { data: 'mined by another client' });
    await page.waitForSelector('#block-2.fresh');
    expect((await blockIndexes(page))[0]).toBe(2);
    expect(await page.locator('#block-2').textContent()).toContain('mined by another client');
    expect(await page.locator('#block-2 .hash').first().getAttribute('title')).toBe(mineBlock.block.hash);
    expect(await page.locator('#stat-length').textContent()).toBe('3');
    expect(await page.locator('#announcer').textContent()).toContain('New block #2: mined by another client.');
    // Its verdict follows shortly after.
    await page.waitForSelector('#block-2[data-state="valid"]');
    expect(problems).toEqual([]);
  });

  it('mines from the page with a live progress bar (miningProgress), and the block appears', async () => {
    // Difficulty 6 on the plain JavaScript engine: a mine of a few seconds, long enough to watch.
    const { page, problems } = await openExplorer({ config: { difficulty: 6, miner: 'js', miningThreads: 1 } });
    await live(page);
    await page.getByLabel('Data').fill('mined from the explorer');
    await page.getByRole('button', { name: 'Mine' }).click();
    await page.waitForSelector('#progress[data-state="MINING"]');
    expect(await page.locator('#progress-state').textContent()).toBe('Mining block #1 at difficulty 6…');
    expect(await page.getByRole('button', { name: 'Mining…' }).isDisabled()).toBe(true);
    // The bar and the figures move while it mines.
    await expect
      .poll(async () => (await attribute(page, '#progress', 'data-state')) === 'MINING' && (await progressValue(page)) > 0, {
        timeout: 30_000,
      })
      .toBe(true);
    expect(await page.locator('#progress-rate').textContent()).toMatch(/H\/s$/);
    expect(await page.locator('#progress-expected').textContent()).toMatch(/^16\.8 M \(\d+%\)$/);

    await page.waitForSelector('#progress[data-state="MINED"]', { timeout: 60_000 });
    expect(await page.locator('#progress-state').textContent()).toMatch(/^Mined block #1/);
    expect(await progressValue(page)).toBe(1);
    await page.waitForSelector('#block-1');
    expect((await blockIndexes(page))[0]).toBe(1);
    expect(await page.locator('#block-1').textContent()).toContain('mined from the explorer');
    expect(await page.getByLabel('Data').inputValue()).toBe('');
    expect(await page.getByRole('button', { name: 'Mine' }).isEnabled()).toBe(true);
    expect(problems).toEqual([]);
  });

  it('flags a tampered block and the links it breaks after Validate', async () => {
    const { page, path, problems } = await openExplorer({ blocks: 4 });
    await page.waitForSelector('#verdict[data-verdict="valid"]');
    tamper(path, "UPDATE blocks SET data = 'forged' WHERE block_index = 2");
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.waitForSelector('#verdict[data-verdict="invalid"]');

    expect(await page.locator('#verdict').textContent()).toBe('✗ Chain is not valid: 1 problem, in block #2.');
    expect(await attribute(page, '#block-2', 'data-state')).toBe('invalid');
    expect(await page.locator('#block-2 .badge').textContent()).toBe('✗ Invalid: Content altered');
    // The page re-reads its blocks: block 2 shows what is stored now.
    await expect.poll(() => page.locator('#block-2 .data').textContent()).toBe('forged');
    expect(await page.locator('#block-2 .problems').textContent()).toMatch(
      /Content altered: Block 2 is stored with hash [0-9a-f]{64}, but its content hashes to/,
    );
    // Block 3 vouches for block 2's old hash: that link is broken. Block 2 still names block 1's hash.
    expect(await attribute(page, '[data-link="3-2"]', 'class')).toBe('link link-broken');
    expect(await page.locator('[data-link="3-2"]').textContent()).toContain('#2 was altered after #3 linked to it');
    expect(await attribute(page, '[data-link="2-1"]', 'class')).toBe('link link-intact');
    expect(await attribute(page, '[data-link="4-3"]', 'class')).toBe('link link-intact');
    for (const index of [4, 3, 1, 0]) expect(await attribute(page, `#block-${index}`, 'data-state')).toBe('valid');

    // Nothing is mined onto an invalid chain, and the page says why.
    await page.getByRole('button', { name: 'Mine' }).click();
    await page.waitForSelector('#mine-error:not([hidden])');
    expect(await page.locator('#mine-error').textContent()).toContain('does not validate');
    expect(problems).toEqual([]);
  });

  it("asks for the server's mining token, keeps it for the tab and sends it as a Bearer token", async () => {
    const token = 'a-mining-token-for-the-page';
    const { page, problems } = await openExplorer({ config: { miningToken: token } });
    await page.getByRole('button', { name: 'Mine' }).click();
    await page.waitForSelector('#mine-error:not([hidden])');
    expect(await page.locator('#mine-error').textContent()).toBe('This server needs a mining token: enter it under "Mining token".');
    expect(await page.locator('#token-box').getAttribute('open')).not.toBeNull();
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('token');

    await page.getByLabel('Bearer token').fill(token);
    await page.getByRole('button', { name: 'Mine' }).click();
    await page.waitForSelector('#block-1');
    expect(await page.locator('#mine-error').isHidden()).toBe(true);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('pow-ledger.mining-token')")).toBe(token);
    // A reload keeps it (same tab); the 401 above is the only console error.
    await page.reload();
    expect(await page.getByLabel('Bearer token').inputValue()).toBe(token);
    expect(problems).toEqual([expect.stringContaining('401')]);
  });

  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('fits a %s-sized window without scrolling sideways', async (name, viewport) => {
    const longData = 'x'.repeat(64); // an unbroken payload as long as the test server takes
    const explorer = await openExplorer({ blocks: 3, viewport, data: (index) => [null, 'hello, ledger', longData, null][index] ?? null });
    const { page, path, problems } = explorer;
    await page.waitForSelector('#verdict[data-verdict="valid"]');
    if (UPDATE_SCREENSHOTS) {
      // The README's picture: a block mined from the page, then one tampered with and flagged.
      await live(page);
      await page.getByLabel('Data').fill('mined from the explorer');
      await page.getByRole('button', { name: 'Mine' }).click();
      await page.waitForSelector('#progress[data-state="MINED"]');
      await page.waitForSelector('#block-4[data-state="valid"]');
    }
    tamper(path, "UPDATE blocks SET data = 'forged' WHERE block_index = 2");
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.waitForSelector('#verdict[data-verdict="invalid"]');
    expect(await horizontalOverflow(page)).toBe(0);
    for (const box of await page
      .locator('.card, .panel, .link')
      .evaluateAll((elements) => elements.map((element) => element.getBoundingClientRect().right))) {
      expect(box).toBeLessThanOrEqual(viewport.width);
    }
    if (UPDATE_SCREENSHOTS) {
      await page.waitForSelector('.fresh', { state: 'detached' });
      if (name === 'phone') await page.locator('#blocks-title').evaluate((element) => element.scrollIntoView({ block: 'start' }));
      await mkdir(DOCS, { recursive: true });
      await page.screenshot({ path: `${DOCS}explorer-${name}.png` });
    }
    expect(problems).toEqual([]);
  });
});
