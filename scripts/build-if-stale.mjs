// `npm start`'s build (prestart): none when dist/ was built from the sources as they are
// (the digest in dist/.sources.sha256, src/shared/build-stamp.ts), else `npm run build`:
// tsc, type-checked and incremental (dist/.tsbuildinfo), then the stamp. A start with
// nothing changed answers in about a second instead of waiting out tsc; a changed source
// is type-checked before it is served (the check suite type-checks every change too).
//
// `--force` (npm run build) builds whatever the stamp says. The stamp is removed before tsc
// runs (tsc writes its output even when it fails, and an old stamp would then vouch for it),
// and records the sources as they were when the build started, not as they are after it.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP_MODULE = new URL('../dist/shared/build-stamp.js', import.meta.url);
const STAMP_FILE = fileURLToPath(new URL('../dist/.sources.sha256', import.meta.url));
const force = process.argv.includes('--force');

/** The digest of the sources now, where a build left the module that computes it (a fresh clone has none). */
let digestBefore = null;
if (existsSync(STAMP_MODULE)) {
  const { builtFromCurrentSources, sourcesDigest } = await import(STAMP_MODULE.href);
  // Read the sources once: the check and the stamp use the same digest.
  digestBefore = sourcesDigest?.() ?? null;
  if (!force && builtFromCurrentSources(digestBefore ?? undefined)) {
    console.log('dist/ is current (built from these sources): not rebuilding.');
    process.exit(0);
  }
}
rmSync(STAMP_FILE, { force: true });
const run = (script) => execFileSync(process.execPath, script, { cwd: ROOT, stdio: 'inherit' });
try {
  run([fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json']);
  // A process of its own: the stamp is written by the build just made, not by the one loaded above.
  run(['scripts/stamp-build.mjs', ...(digestBefore === null ? [] : [digestBefore])]);
} catch {
  process.exit(1);
}
