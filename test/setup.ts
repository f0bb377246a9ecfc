import { afterAll } from 'vitest';
import { closeSharedProofSearch } from './helpers/proof-search.js';

// Runs in every test file: its servers' shared mining threads end with it.
afterAll(closeSharedProofSearch);
