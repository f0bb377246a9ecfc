import { probeEngines, type EngineName } from '../../src/mining/engines/load-engine.js';

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
