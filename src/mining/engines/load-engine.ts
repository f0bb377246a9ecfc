import { loadJsEngine } from './js-engine.js';
import { loadNativeEngine } from './native-engine.js';
import type { ProofEngine } from './proof-engine.js';
import { loadWasmEngine } from './wasm-engine.js';

export type EngineName = ProofEngine['name'];
/** `auto` takes the fastest engine that loads here: native, then wasm, then js. */
export type EnginePreference = EngineName | 'auto';

const ENGINE_NAMES: readonly EngineName[] = ['native', 'wasm', 'js'];

export type EngineLoaders = Readonly<Record<EngineName, () => ProofEngine>>;

const LOADERS: EngineLoaders = {
  native: () => loadNativeEngine(),
  wasm: () => loadWasmEngine(),
  js: () => loadJsEngine(),
};

export interface LoadedEngine {
  readonly engine: ProofEngine;
  /** Engines tried before it and why each could not be used (empty when the first choice loaded). */
  readonly skipped: ReadonlyArray<{ readonly name: EngineName; readonly reason: string }>;
}

export class EngineUnavailableError extends Error {
  override readonly name = 'EngineUnavailableError';
}

/** Loads an engine by name; throws EngineUnavailableError when it cannot run here. */
export function loadEngine(name: EngineName, loaders: EngineLoaders = LOADERS): ProofEngine {
  try {
    return loaders[name]();
  } catch (error) {
    throw new EngineUnavailableError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** Which engines load on this machine, fastest first, and why each other one does not. */
export function probeEngines(loaders: EngineLoaders = LOADERS): Array<{ readonly name: EngineName; readonly unavailable: string | null }> {
  return ENGINE_NAMES.map((name) => {
    try {
      loadEngine(name, loaders);
      return { name, unavailable: null };
    } catch (error) {
      return { name, unavailable: (error as Error).message };
    }
  });
}

/**
 * Chooses the engine to mine with. A named engine must load (MINER=native on a machine
 * where the addon did not build is a configuration error, not a silent slowdown);
 * `auto` falls back down the list and reports why.
 */
export function selectEngine(preference: EnginePreference, loaders: EngineLoaders = LOADERS): LoadedEngine {
  if (preference !== 'auto') return { engine: loadEngine(preference, loaders), skipped: [] };
  const skipped: Array<{ name: EngineName; reason: string }> = [];
  for (const name of ENGINE_NAMES) {
    try {
      return { engine: loadEngine(name, loaders), skipped };
    } catch (error) {
      skipped.push({ name, reason: (error as Error).message });
    }
  }
  // Unreachable: the js engine needs nothing but Node.
  throw new EngineUnavailableError('no proof engine could be loaded');
}
