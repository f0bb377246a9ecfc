import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { MAX_PROOF, assertSearchArguments } from '../../core/proof-of-work.js';
import type { ProofEngine } from './proof-engine.js';

/** Resolves from src/mining/engines/ and from the compiled dist/mining/engines/ alike. */
const ADDON_FILE = new URL('../../../native/build/Release/pow.node', import.meta.url);

/** What native/pow.c exports. Arguments are integers below 2^53; 0 means no proof found. */
interface NativeAddon {
  /** 'sha-ni' when this CPU has the x86 SHA extensions, else 'portable' (plain C). */
  readonly variant: 'sha-ni' | 'portable';
  search(this: void, previousProof: number, difficulty: number, start: number, count: number): number;
  /** The plain C path, whatever the CPU has: lets tests check it on SHA-NI machines too. */
  searchPortable(this: void, previousProof: number, difficulty: number, start: number, count: number): number;
  /** `pairs` × 2 bare SHA-256 compressions, nothing else: the ceiling the search is measured against. */
  compressPairs(this: void, pairs: number): number;
  compressPairsPortable(this: void, pairs: number): number;
}

export function loadNativeAddon(file: URL = ADDON_FILE): NativeAddon {
  const path = fileURLToPath(file);
  try {
    return createRequire(import.meta.url)(path) as NativeAddon;
  } catch (cause) {
    throw new Error(`native proof engine unavailable: cannot load ${path} (build it with npm run build:native)`, { cause });
  }
}

/** The native addon: SHA-NI on x86-64 CPUs that have it, portable C elsewhere. Throws when not built. */
export function loadNativeEngine({ portable = false }: { portable?: boolean } = {}): ProofEngine {
  const addon = loadNativeAddon();
  const search = portable ? addon.searchPortable : addon.search;
  return {
    name: 'native',
    variant: portable ? 'portable' : addon.variant,
    search(previousProof, difficulty, start, count) {
      assertSearchArguments(previousProof, difficulty, start, count);
      // The addon takes magnitudes; the square, and so the hash, is the same.
      const proof = search(Math.abs(previousProof), difficulty, start, Math.min(count, MAX_PROOF + 1 - start));
      return proof === 0 ? null : proof;
    },
  };
}
