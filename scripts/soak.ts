/**
 * `npm run soak -- [kills]`: the crash test at length (default 200 kills).
 * Starts the server, mines from three clients, kill -9s it at a random moment,
 * checks the file (integrity_check, chain validation, every acknowledged block
 * present), and repeats. Exits 1 on any problem.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCrashRounds } from '../test/helpers/crash-harness.js';

const kills = Number(process.argv[2] ?? 200);
if (!Number.isInteger(kills) || kills < 1) {
  console.error('usage: npm run soak -- [number of kills, default 200]');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'ledger-soak-'));
const started = performance.now();
try {
  const report = await runCrashRounds({
    databasePath: join(dir, 'chain.db'),
    rounds: kills,
    log: (line) => console.log(line),
  });
  console.log(
    `\n${report.kills} kills in ${((performance.now() - started) / 1000).toFixed(0)} s: ` +
      `${report.killsWithMinesInFlight} with mines in flight, ${report.committedButUnacknowledged} block(s) committed ` +
      `but never acknowledged, ${report.acknowledged} acknowledged, ${report.finalLength} blocks at the end.`,
  );
  if (report.problems.length > 0) {
    console.error(`PROBLEMS:\n${report.problems.join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log('No problem: integrity_check ok, chain valid and every acknowledged block present after every kill.');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
