import { searchProofs } from '../../core/proof-of-work.js';
import type { ProofEngine } from './proof-engine.js';

/** The TypeScript search from src/core (Node's crypto per candidate): always available, slowest. */
export function loadJsEngine(): ProofEngine {
  return { name: 'js', search: searchProofs };
}
