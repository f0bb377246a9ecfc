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

describe('the server log as JSON lines', () => {
  const lines = (text: string): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes one object a call with the time, the level, the fields and the message, in that order', () => {
    const stdout = stream(true);
    const stderr = stream(false);
    const logger = createLogger({ format: 'json', fields: { instance: 'a-123', region: 'eu' }, stdout, stderr });
    logger.info('Ledger server on', 'http://127.0.0.1:4000/graphql', { difficulty: 4 });
    logger.warn('Proof engine native skipped');
    const [info, ...more] = lines(stdout.text());
    expect(more).toEqual([]);
    expect(Object.keys(info ?? {})).toEqual(['time', 'level', 'instance', 'region', 'msg']);
    expect(info).toMatchObject({
      level: 'info',
      instance: 'a-123',
      region: 'eu',
      msg: 'Ledger server on http://127.0.0.1:4000/graphql { difficulty: 4 }',
    });
    const time = info?.time as string;
    expect(new Date(time).toISOString()).toBe(time);
    expect(lines(stderr.text())).toEqual([expect.objectContaining({ level: 'warn', msg: 'Proof engine native skipped' })]);
    // No colour codes, even on a terminal.
    expect(stdout.text()).not.toContain('\x1b[');
  });

  it('keeps a multi-line message on one line', () => {
    const stdout = stream(false);
    const logger = createLogger({ format: 'json', stdout, stderr: stream(false) });
    logger.info('first\nsecond', { nested: { deeper: { deepest: [1, 2, 3] } }, long: 'x'.repeat(200) });
    logger.info('third');
    expect(stdout.text().split('\n')).toHaveLength(3);
    const [multi, third] = lines(stdout.text());
    expect(multi?.msg).toMatch(/^first\nsecond \{\n/);
    expect(third?.msg).toBe('third');
  });

  it('serialises an Error as err, with its type, message, code and stack', () => {
    const stderr = stream(false);
    const logger = createLogger({ format: 'json', stdout: stream(false), stderr });
    const diskGone = Object.assign(new RangeError('disk gone'), { code: 'EIO' });
    logger.error('COULD NOT RUN quick_check:', diskGone);
    logger.error(new Error('alone'));
    logger.error('two at once:', new TypeError('first'), new Error('second'));
    const [withCode, alone, two] = lines(stderr.text());
    expect(withCode?.msg).toBe('COULD NOT RUN quick_check:');
    expect(withCode?.err).toEqual({ type: 'RangeError', message: 'disk gone', code: 'EIO', stack: diskGone.stack });
    expect(alone?.msg).toBe('alone');
    expect(alone?.err).toEqual({ type: 'Error', message: 'alone', stack: expect.stringMatching(/^Error: alone\n\s+at /) as unknown });
    expect(two?.err).toMatchObject({ type: 'TypeError', message: 'first' });
    expect(two?.msg).toMatch(/^two at once: Error: second\n/);
    expect(stderr.text().trimEnd().split('\n')).toHaveLength(3);
  });

  it('leaves out levels below the one asked for, and sends warnings and errors to stderr', () => {
    const stdout = stream(false);
    const stderr = stream(false);
    const logger = createLogger({ format: 'json', level: 'info', stdout, stderr });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines(stdout.text()).map(({ level, msg }) => [level, msg])).toEqual([['info', 'i']]);
    expect(lines(stderr.text()).map(({ level, msg }) => [level, msg])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
    ]);
  });

  it('refuses fields that would hide the time, level, message or error', () => {
    expect(() => createLogger({ format: 'json', fields: { level: 'x' } })).toThrow(/level/);
  });

  it('leaves the fields out of text lines', () => {
    const stdout = stream(false);
    createLogger({ fields: { instance: 'a-123' }, stdout, stderr: stream(false) }).info('hello');
    expect(stdout.text()).toBe('INFO hello\n');
  });
});
