import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_PROOF, assertSearchArguments } from '../../core/proof-of-work.js';
import type { ProofEngine } from './proof-engine.js';

/** Resolves from src/mining/engines/ and from the compiled dist/mining/engines/ alike. */
const WASM_FILE = new URL('../../../wasm/pow.wasm', import.meta.url);
/** The module takes the count as an i32, so longer windows are searched in slices. */
const MAX_SLICE = 2 ** 30;

/** A module whose one function returns `i32x4.splat(0)`: valid only where SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x08, 0x01, 0x06,
  0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b,
]);

/** wasm/pow.ts `search`: the proof found, or 0 for none. */
type WasmSearch = (previousProof: number, difficulty: number, start: number, count: number) => number;

/**
 * The WebAssembly SIMD engine (wasm/pow.ts, four candidates per SHA-256 compression).
 * Throws if the binary is missing or the runtime cannot compile it (no SIMD), so the
 * caller can fall back to another engine.
 */
export function loadWasmEngine(file: URL = WASM_FILE): ProofEngine {
  const wasmSearch = instantiate(file);
  return {
    name: 'wasm',
    search(previousProof, difficulty, start, count) {
      assertSearchArguments(previousProof, difficulty, start, count);
      // The module takes proofs as unsigned; the square, and so the hash, is the same.
      const previous = Math.abs(previousProof);
      const end = Math.min(start + count, MAX_PROOF + 1);
      for (let from = start; from < end; from += MAX_SLICE) {
        const proof = wasmSearch(previous, difficulty, from, Math.min(end - from, MAX_SLICE));
        if (proof !== 0) return proof;
      }
      return null;
    },
  };
}

function instantiate(file: URL): WasmSearch {
  const path = fileURLToPath(file);
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (cause) {
    throw new Error(`wasm proof engine unavailable: cannot read ${path} (build it with npx tsx scripts/build-wasm.ts)`, {
      cause,
    });
  }
  if (!WebAssembly.validate(SIMD_PROBE)) throw new Error('wasm proof engine unavailable: this runtime lacks WebAssembly SIMD');
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  } catch (cause) {
    throw new Error(`wasm proof engine unavailable: ${path} does not compile`, { cause });
  }
  const search = instance.exports['search'];
  if (typeof search !== 'function') throw new Error(`wasm proof engine unavailable: ${path} exports no search function`);
  return search as WasmSearch;
}
