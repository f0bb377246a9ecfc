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

/** Says which tests are skipped, and how to run them, when there is no Chromium. */
export function noticeIfNoChromium(skipped: string): void {
  if (hasChromium) return;
  console.warn(
    `No Chromium at ${CHROMIUM}: ${skipped} SKIPPED. Install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH.`,
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}
