import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDatabasePath } from '../helpers/temp-database.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('closing the proof search in a process with nothing else to do', () => {
  it('waits for its threads to end instead of leaving close() unsettled (exit 13)', async () => {
    // Node does not hold a process for a thread being terminated: this script exited 13 before the threads ended.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/scripts/close-after-reads.ts', tempDatabasePath()],
      {
        cwd: ROOT,
      },
    );
    expect(stdout).toBe('closed\n');
  });
});
