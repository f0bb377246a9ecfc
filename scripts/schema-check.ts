/**
 * Checks schema.graphql against the last released schema (see scripts/schema-contract.ts).
 *
 *   npx tsx scripts/schema-check.ts            prints every change; exits 1 on an unaccepted
 *                                              breaking change, a stale acceptance, a missing
 *                                              description or a deprecation without a reason
 *   npx tsx scripts/schema-check.ts --release  the release step: when the check passes,
 *                                              schema.graphql becomes schema/released.graphql
 *                                              and the accepted list is emptied
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkSchemaFiles,
  contractHolds,
  formatReport,
  releaseSchema,
  SchemaContractError,
  type SchemaContractFiles,
} from './schema-contract.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FILES: SchemaContractFiles = {
  current: fileURLToPath(new URL('../schema.graphql', import.meta.url)),
  released: fileURLToPath(new URL('../schema/released.graphql', import.meta.url)),
  accepted: fileURLToPath(new URL('../schema/accepted-breaking-changes.json', import.meta.url)),
};
const NAMES = {
  current: relative(ROOT, FILES.current),
  released: relative(ROOT, FILES.released),
  accepted: relative(ROOT, FILES.accepted),
};

async function main(): Promise<void> {
  const report = await checkSchemaFiles(FILES);
  console.log(formatReport(report, NAMES));
  if (!contractHolds(report)) {
    if (process.argv.includes('--release')) console.error('Nothing released: the check must pass first.');
    process.exitCode = 1;
    return;
  }
  if (process.argv.includes('--release')) {
    await releaseSchema(FILES);
    console.log(`Released: ${NAMES.released} is now ${NAMES.current}; ${NAMES.accepted} is emptied.`);
  }
}

try {
  await main();
} catch (error) {
  if (!(error instanceof SchemaContractError)) throw error;
  console.error(`Schema check could not run: ${error.message}`);
  process.exitCode = 1;
}
