/**
 * `npm run fuzz [-- seconds]`: the chain-file reader's fuzz target (see
 * test/helpers/chain-file-fuzz.ts) for a time budget (default 60 s), from a
 * random seed. The inputs are read on a worker thread whose heap is capped and
 * which this thread watches: an input that throws anything but
 * MalformedChainError (shrunk first), that hangs the reader, or that exhausts
 * the capped heap is saved to test/chain-file/fuzz-corpus/ (which the suite
 * replays) and the run fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { fuzzCase, readCase, saveToCorpus, type FuzzCase } from '../test/helpers/chain-file-fuzz.js';

/** No input takes the reader this long: longer is a hang. */
const HANG_MS = 10_000;
/** The reader's heap: far more than a chain file of these sizes needs. */
const HEAP_MB = 200;

type FromWorker =
  | { readonly type: 'case'; readonly input: FuzzCase }
  | {
      readonly type: 'done';
      readonly runs: number;
      readonly read: number;
      readonly failure: { readonly input: FuzzCase; readonly error: string; readonly replay: string } | null;
    };

function fuzzOnThisThread({ seconds, seed }: { seconds: number; seed: number }): void {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-fuzz-'));
  let runs = 0;
  let read = 0;
  try {
    const property = fc.property(fuzzCase, (input: FuzzCase) => {
      parentPort!.postMessage({ type: 'case', input } satisfies FromWorker);
      runs += 1;
      if ('read' in readCase(input, dir)) read += 1;
    });
    const result = fc.check(property, {
      seed,
      numRuns: Number.MAX_SAFE_INTEGER,
      interruptAfterTimeLimit: seconds * 1000,
      markInterruptAsFailure: false,
    });
    const failure =
      result.failed && result.counterexample !== null
        ? {
            input: result.counterexample[0],
            error: String(result.errorInstance),
            replay: `seed ${result.seed}, path ${result.counterexamplePath}`,
          }
        : null;
    parentPort!.postMessage({ type: 'done', runs, read, failure } satisfies FromWorker);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fail(message: string, input: FuzzCase | null): void {
  console.error(`FAILED: ${message}`);
  if (input !== null)
    console.error(`The input (${input.bytes.length} bytes, read ${input.chunkSize} at a time) is saved as ${saveToCorpus(input)}.`);
  process.exitCode = 1;
}

function watch(seconds: number): void {
  const seed = Date.now() % 2 ** 31;
  console.log(`Fuzzing readChainFile for ${seconds} s (seed ${seed}), on a worker with a ${HEAP_MB} MB heap...`);
  // The worker runs this file's TypeScript as the main thread does: through tsx, registered first.
  const bootstrap = [
    `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};`,
    'register();',
    `await import(${JSON.stringify(import.meta.url)});`,
  ].join('\n');
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), {
    workerData: { seconds, seed },
    resourceLimits: { maxOldGenerationSizeMb: HEAP_MB },
  });
  let last: FuzzCase | null = null;
  let finished = false;
  let watchdog = setTimeout(() => undefined, 0);
  const rearm = (): void => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      fail(`one input has been read for more than ${HANG_MS / 1000} s`, last);
      finished = true;
      void worker.terminate();
    }, HANG_MS);
  };
  rearm();
  worker.on('message', (message: FromWorker) => {
    if (message.type === 'case') {
      last = message.input;
      rearm();
      return;
    }
    finished = true;
    clearTimeout(watchdog);
    if (message.failure === null) {
      console.log(
        `No failure in ${message.runs} inputs (${message.read} read as chains, ${message.runs - message.read} refused as malformed).`,
      );
    } else {
      fail(`${message.failure.error} (replay: ${message.failure.replay}); shrunk`, message.failure.input);
    }
  });
  worker.on('error', (error) => {
    clearTimeout(watchdog);
    if (!finished) fail(`the reader failed outside the property: ${String(error)}`, last);
    finished = true;
  });
  worker.on('exit', () => clearTimeout(watchdog));
}

if (isMainThread) {
  const seconds = Number(process.argv[2] ?? process.env['FUZZ_SECONDS'] ?? 60);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    console.error('Usage: npm run fuzz [-- seconds]');
    process.exit(2);
  }
  watch(seconds);
} else {
  fuzzOnThisThread(workerData as { seconds: number; seed: number });
}
