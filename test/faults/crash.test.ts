import { describe, expect, it } from 'vitest';
import { runCrashRounds } from '../helpers/crash-harness.js';
import { tempDatabasePath } from '../helpers/temp-database.js';

describe('kill -9 during continuous mining', () => {
  it('loses no acknowledged block and corrupts nothing, over 20 kills', async () => {
    const report = await runCrashRounds({ databasePath: tempDatabasePath(), rounds: 20 });
    console.info(
      `crash test: ${report.kills} kills, ${report.killsWithMinesInFlight} with mines in flight, ` +
        `${report.committedButUnacknowledged} block(s) committed but never acknowledged, ${report.finalLength} blocks in the end`,
    );
    expect(report.problems).toEqual([]);
    expect(report.kills).toBe(20);
    // The kills really hit the write path: some blocks were durably committed
    // and the process died before their client got the answer.
    expect(report.killsWithMinesInFlight).toBeGreaterThanOrEqual(10);
    expect(report.committedButUnacknowledged).toBeGreaterThanOrEqual(1);
    expect(report.acknowledged).toBeGreaterThan(20);
  }, 180_000);
});
