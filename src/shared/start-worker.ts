import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { BUILD_DIRECTORY, SOURCE_DIRECTORY, builtFromCurrentSources } from './build-stamp.js';

/** Per process: whether dist/ holds the build of these very sources (checked once). */
let buildIsCurrent: boolean | undefined;

/**
 * Starts the worker module `name` that sits next to the module at `callerUrl`.
 *
 * From the build it is plain JavaScript. Run from the TypeScript sources
 * (tests, `npm run dev`, `npm run cli`), a worker of src/ is the build's copy
 * of the same module when dist/ was built from exactly these sources (build-stamp.ts):
 * such a thread starts in ~60 ms, where loading tsx into it takes ~300 ms of
 * CPU. Otherwise, since Node 20 ignores `--import tsx` in a worker's execArgv,
 * a two-line bootstrap registers tsx's loader and then imports the .ts file.
 */
export function startWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), { name, ...options });
  const source = new URL(`./${name}.ts`, callerUrl);
  const fromSources = relative(SOURCE_DIRECTORY, fileURLToPath(source));
  // Only src/ is built: a worker of the benchmarks or the tests always starts from its TypeScript.
  const built = fromSources.startsWith('..') ? false : (buildIsCurrent ??= builtFromCurrentSources());
  if (built) return new Worker(pathToFileURL(`${BUILD_DIRECTORY}/${fromSources.replace(/\.ts$/, '.js')}`), { name, ...options });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`;
  return new Worker(bootstrap, { name, ...options, eval: true });
}
