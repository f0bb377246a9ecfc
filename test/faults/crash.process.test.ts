import { describe, expect, it } from 'vitest';
import { runCrashRounds } from '../helpers/crash-harness.js';
import { describeOnEngines, freshPostgresUrl } from '../helpers/postgres.js';
import { tempDatabasePath } from '../helpers/temp-database.js';

// The two engines' rounds run side by side: each waits mostly on its own server processes.
describe.concurrent('crash rounds', () => {
  describeOnEngines('kill -9 during continuous mining, on %s', (engine) => {
    it('loses no acknowledged block and corrupts nothing, over 20 kills, some in the middle of a commit', async () => {
      const database = engine === 'sqlite' ? { databasePath: tempDatabasePath() } : { databaseUrl: await freshPostgresUrl() };
      const report = await runCrashRounds({ ...database, rounds: 20 });
      console.info(
        `crash test on ${engine}: ${report.kills} kills, ${report.killsWithMinesInFlight} with mines in flight, ` +
          `${report.killsDuringCommitSync ?? 'unknown'} during a commit's fsync, ` +
          `${report.committedButUnacknowledged} block(s) committed but never acknowledged, ${report.finalLength} blocks in the end`,
      );
      expect(report.problems).toEqual([]);
      expect(report.acknowledged).toBeGreaterThan(20);
      // Mines were being answered when the process died: some of them were mid-append.
      expect(report.killsWithMinesInFlight).toBeGreaterThanOrEqual(15);
      if (engine === 'postgres') return; // PostgreSQL syncs its commits in its own processes, which live on.
      if (report.killsDuringCommitSync === null) {
        console.warn('NOTICE: /proc cannot show what the server is blocked in here; kills mid-commit are not proven.');
      } else {
        // Seen by /proc/<pid>/syscall at the kill: the server was syncing a commit.
        expect(report.killsDuringCommitSync).toBeGreaterThanOrEqual(5);
      }
    }, 300_000);
  });
});
