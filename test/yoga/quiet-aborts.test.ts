import { describe, expect, it } from 'vitest';
import { quietClientAborts } from '../../src/yoga/quiet-aborts.js';

const aborted = (): Error => Object.assign(new Error('aborted'), { code: 'ECONNRESET' });

describe('quietClientAborts', () => {
  it('logs a client gone mid-request as one info line, once per request, and passes every other error through', () => {
    const lines: Array<[string, unknown[]]> = [];
    const record =
      (level: string) =>
      (...args: unknown[]) =>
        void lines.push([level, args]);
    const logger = quietClientAborts({ debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') });
    const first = aborted();
    logger.error(first);
    logger.error(first);
    logger.error(aborted());
    const other = new Error('disk on fire');
    logger.error('Unexpected:', other);
    expect(lines).toEqual([
      ['info', ['A client closed its connection before sending the whole request; nothing was done for it.']],
      ['info', ['A client closed its connection before sending the whole request; nothing was done for it.']],
      ['error', ['Unexpected:', other]],
    ]);
  });
});
