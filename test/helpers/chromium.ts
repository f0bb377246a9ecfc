/**
 * Headless Chromium for the browser tests: Debian's chromium package driven by
 * playwright-core (see ../shared/NOTES.md), or CHROMIUM_PATH. Where it is
 * missing, the tests are skipped with a printed notice; .ci/run installs it.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export const hasChromium = existsSync(CHROMIUM);

/** Why a browser test is skipped here; the skipped tests' summary counts them under it. */
export const CHROMIUM_MISSING = `needs Chromium: there is none at ${CHROMIUM} (install Debian's chromium package, or set CHROMIUM_PATH)`;

/** Skips the running test, saying why, where there is no Chromium. */
export function requireChromium(context: { skip(note?: string): never }): void {
  if (!hasChromium) context.skip(CHROMIUM_MISSING);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}
