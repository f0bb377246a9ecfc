/**
 * `npm run fuzz [-- seconds]`: the chain-file reader's fuzz target (see
 * test/helpers/chain-file-fuzz.ts) for a time budget (default 60 s), from a
 * random seed. An input that breaks the promise is shrunk, saved to
 * test/chain-file/fuzz-corpus/ (which the suite replays) and the run fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { fuzzCase, readCase, saveToCorpus, type FuzzCase } from '../test/helpers/chain-file-fuzz.js';

/** A read of a few kilobytes that takes this long is a hang. */
const HANG_MS = 5000;
/** What the reader may hold beyond what it started with, in bytes of resident memory. */
const MEMORY_BUDGET = 200 * 1024 * 1024;

const seconds = Number(process.argv[2] ?? process.env['FUZZ_SECONDS'] ?? 60);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error('Usage: npm run fuzz [-- seconds]');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'ledger-fuzz-'));
const rssBefore = process.memoryUsage.rss();
const outcomes = { read: 0, malformed: 0 };

const property = fc.property(fuzzCase, (input: FuzzCase) => {
  const started = performance.now();
  const outcome = readCase(input, dir);
  outcomes['read' in outcome ? 'read' : 'malformed'] += 1;
  const ms = performance.now() - started;
  if (ms > HANG_MS) throw new Error(`reading ${input.bytes.length} bytes took ${Math.round(ms)} ms`);
  const grown = process.memoryUsage.rss() - rssBefore;
  if (grown > MEMORY_BUDGET) throw new Error(`resident memory grew by ${Math.round(grown / 2 ** 20)} MB`);
});

const seed = Date.now() % 2 ** 31;
console.log(`Fuzzing readChainFile for ${seconds} s (seed ${seed})...`);
try {
  const result = fc.check(property, {
    seed,
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: seconds * 1000,
    markInterruptAsFailure: false,
  });
  const runs = outcomes.read + outcomes.malformed;
  if (result.failed && result.counterexample !== null) {
    const [input] = result.counterexample;
    const saved = saveToCorpus(input);
    console.error(`FAILED after ${result.numRuns} run(s): ${String(result.errorInstance)}`);
    console.error(`The shrunk input (${input.bytes.length} bytes, read ${input.chunkSize} at a time) is saved as ${saved}.`);
    console.error(`Replay: seed ${result.seed}, path ${result.counterexamplePath}`);
    process.exitCode = 1;
  } else {
    console.log(`No failure in ${runs} inputs (${outcomes.read} read as chains, ${outcomes.malformed} refused as malformed).`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
