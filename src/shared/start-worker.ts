import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker module `name` that sits next to the module at `callerUrl`.
 * From the build it is plain JavaScript. Run from TypeScript sources (tests,
 * tsx) it is a .ts file, and Node 20 ignores `--import tsx` in a worker's
 * execArgv, so a two-line bootstrap registers tsx's loader and then imports it.
 */
export function startWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const entry = new URL(`./${name}${fromSource ? '.ts' : '.js'}`, callerUrl);
  if (!fromSource) return new Worker(entry, { name, ...options });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { name, ...options, eval: true });
}
