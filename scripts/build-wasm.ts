/**
 * Compiles wasm/pow.ts (AssemblyScript) into wasm/pow.wasm.
 *
 *   npm run build:wasm    writes wasm/pow.wasm
 *   npm run wasm:check    exits 1 unless wasm/pow.wasm matches a fresh build
 *
 * The binary is committed so that installs need no compiler; the check lets CI prove it
 * was generated from the committed source.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = 'wasm/pow.ts';
const OUTPUT = 'wasm/pow.wasm';
// No runtime: the module allocates nothing, it only uses static memory.
const FLAGS = ['--enable', 'simd', '-O3', '--runtime', 'stub', '--noAssert'];
/**
 * The compiler runs in a plain Node process: loaded through tsx (as this script is),
 * its 10 MB binaryen module is transformed on the way in, and the build takes 20 s
 * instead of 2.
 */
const ASC = fileURLToPath(new URL('../node_modules/assemblyscript/bin/asc.js', import.meta.url));

async function compile(): Promise<Buffer> {
  const scratch = await mkdtemp(join(tmpdir(), 'pow-wasm-'));
  try {
    const outFile = join(scratch, 'pow.wasm');
    try {
      await promisify(execFile)(process.execPath, [ASC, SOURCE, '--baseDir', ROOT, '--outFile', outFile, ...FLAGS], { cwd: ROOT });
    } catch (error) {
      const { stderr = '', message } = error as { stderr?: string; message: string };
      throw new Error(`asc failed: ${message}\n${stderr}`, { cause: error });
    }
    return await readFile(outFile);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function readCommitted(): Promise<Buffer | null> {
  try {
    return await readFile(new URL(`../${OUTPUT}`, import.meta.url));
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const fresh = await compile();
  if (!process.argv.includes('--check')) {
    await writeFile(new URL(`../${OUTPUT}`, import.meta.url), fresh);
    console.log(`wrote ${OUTPUT} (${fresh.length} bytes)`);
    return;
  }
  const committed = await readCommitted();
  if (committed === null || !committed.equals(fresh)) {
    console.error(`${OUTPUT} is ${committed === null ? 'missing' : 'stale'}: run npm run build:wasm`);
    process.exitCode = 1;
    return;
  }
  console.log(`${OUTPUT} matches ${SOURCE}`);
}

await main();
