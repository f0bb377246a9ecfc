import { MAX_PROOF } from '../../src/core/proof-of-work.js';
import { loadEngine, probeEngines, type EngineName } from '../../src/mining/engines/load-engine.js';
import { loadNativeEngine } from '../../src/mining/engines/native-engine.js';
import type { ProofEngine } from '../../src/mining/engines/proof-engine.js';

/**
 * The engines that load on this machine. The js engine always does; native needs the
 * addon built (`npm run build:native`) and wasm needs wasm/pow.wasm. A missing engine is
 * reported, not silently skipped, so a machine that lost one is visible in the test log.
 */
export function availableEngines(): EngineName[] {
  return probeEngines()
    .filter(({ name, unavailable }) => {
      if (unavailable !== null) console.warn(`[tests] the ${name} proof engine is not available here: ${unavailable}`);
      return unavailable === null;
    })
    .map(({ name }) => name);
}

let best: EngineName | undefined;

/** The fastest engine that loads here, for tests about something other than the engines. */
export function bestEngine(): EngineName {
  best ??= availableEngines()[0] ?? 'js';
  return best;
}

/** Every engine that loads here; the native addon twice when its CPU-specific path runs (SHA-NI), once more as portable C. */
export function enginesUnderTest(): Array<[string, ProofEngine]> {
  const engines: Array<[string, ProofEngine]> = availableEngines().map((name) => [name, loadEngine(name)]);
  if (engines.some(([name]) => name === 'native')) engines.push(['native (portable C)', loadNativeEngine({ portable: true })]);
  return engines;
}

export const smallestProof = (engine: ProofEngine, previous: number, difficulty: number): number | null =>
  engine.search(previous, difficulty, 1, MAX_PROOF);
