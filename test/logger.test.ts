import { describe, expect, it } from 'vitest';
import { createLogger, type LogStream } from '../src/logger.js';

function stream(isTTY: boolean): LogStream & { readonly text: () => string } {
  let text = '';
  return { isTTY, write: (chunk: string) => (text += chunk), text: () => text };
}

describe('the server log', () => {
  it('writes plain lines, without colour codes, to streams that are not terminals', () => {
    const stdout = stream(false);
    const stderr = stream(false);
    const logger = createLogger({ stdout, stderr });
    logger.info('Ledger server on', 'http://127.0.0.1:4000/graphql', { difficulty: 4 });
    logger.warn('Proof engine native skipped');
    logger.error('COULD NOT RUN quick_check:', new Error('disk gone'));
    expect(stdout.text()).toBe('INFO Ledger server on http://127.0.0.1:4000/graphql { difficulty: 4 }\n');
    expect(stderr.text()).toMatch(/^WARN Proof engine native skipped\nERR COULD NOT RUN quick_check: Error: disk gone\n/);
    expect(stdout.text() + stderr.text()).not.toContain('\x1b[');
  });

  it('colours the level on a terminal', () => {
    const stdout = stream(true);
    createLogger({ stdout, stderr: stream(true) }).info('hello');
    expect(stdout.text()).toBe('\x1b[36mINFO\x1b[0m hello\n');
  });

  it('leaves out levels below the one asked for', () => {
    const stdout = stream(false);
    const stderr = stream(false);
    const logger = createLogger({ level: 'warn', stdout, stderr });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toBe('WARN w\n');
  });
});
