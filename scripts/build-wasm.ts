/**
 * Compiles wasm/pow.ts (AssemblyScript) into wasm/pow.wasm.
 *
 *   npx tsx scripts/build-wasm.ts           writes wasm/pow.wasm
 *   npx tsx scripts/build-wasm.ts --check   exits 1 unless wasm/pow.wasm matches a fresh build
 *
 * The binary is committed so that installs need no compiler; --check lets CI prove it
 * was generated from the committed source.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE = 'wasm/pow.ts';
const OUTPUT = 'wasm/pow.wasm';
// No runtime: the module allocates nothing, it only uses static memory.
const FLAGS = ['--enable', 'simd', '-O3', '--runtime', 'stub', '--noAssert'];

async function compile(): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  const diagnostics = asc.createMemoryStream();
  const result = await asc.main([SOURCE, '--baseDir', ROOT, '--outFile', OUTPUT, ...FLAGS], {
    stderr: diagnostics,
    // Keep the output in memory; the caller decides whether to write or compare it.
    writeFile(name, contents) {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
    },
  });
  if (result.error !== null) {
    throw new Error(`asc failed: ${result.error.message}\n${diagnostics.toString()}`);
  }
  if (binary === undefined) throw new Error('asc produced no .wasm output');
  return binary;
}

async function readCommitted(): Promise<Uint8Array | null> {
  try {
    return await readFile(new URL(`../${OUTPUT}`, import.meta.url));
  } catch {
    return null;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

async function main(): Promise<void> {
  const fresh = await compile();
  if (!process.argv.includes('--check')) {
    await writeFile(new URL(`../${OUTPUT}`, import.meta.url), fresh);
    console.log(`wrote ${OUTPUT} (${fresh.length} bytes)`);
    return;
  }
  const committed = await readCommitted();
  if (committed === null || !sameBytes(committed, fresh)) {
    console.error(`${OUTPUT} is ${committed === null ? 'missing' : 'stale'}: run npx tsx scripts/build-wasm.ts`);
    process.exitCode = 1;
    return;
  }
  console.log(`${OUTPUT} matches ${SOURCE}`);
}

await main();
