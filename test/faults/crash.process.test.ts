import { describe, expect, it } from 'vitest';
import { runCrashRounds } from '../helpers/crash-harness.js';
import { tempDatabasePath } from '../helpers/temp-database.js';

describe('kill -9 during continuous mining', () => {
  it('loses no acknowledged block and corrupts nothing, over 20 kills, some in the middle of a commit', async () => {
    const report = await runCrashRounds({ databasePath: tempDatabasePath(), rounds: 20 });
    console.info(
      `crash test: ${report.kills} kills, ${report.killsDuringCommitSync ?? 'unknown'} during a commit's fsync, ` +
        `${report.committedButUnacknowledged} block(s) committed but never acknowledged, ${report.finalLength} blocks in the end`,
    );
    expect(report.problems).toEqual([]);
    expect(report.acknowledged).toBeGreaterThan(20);
    if (report.killsDuringCommitSync === null) {
      console.warn('NOTICE: /proc cannot show what the server is blocked in here; kills mid-commit are not proven.');
    } else {
      // Seen by /proc/<pid>/syscall at the kill: the server was syncing a commit.
      expect(report.killsDuringCommitSync).toBeGreaterThanOrEqual(5);
    }
  }, 300_000);
});
