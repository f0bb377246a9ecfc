// `npm start`'s build (prestart): none when dist/ was built from the sources as they are
// (the digest in dist/.sources.sha256, src/shared/build-stamp.ts), else `npm run build`:
// tsc, type-checked and incremental (dist/.tsbuildinfo), then the stamp. A start with
// nothing changed answers in about a second instead of waiting out tsc; a changed source
// is type-checked before it is served (the check suite type-checks every change too).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP_MODULE = new URL('../dist/shared/build-stamp.js', import.meta.url);

if (existsSync(STAMP_MODULE)) {
  const { builtFromCurrentSources } = await import(STAMP_MODULE.href);
  if (builtFromCurrentSources()) {
    console.log('dist/ is current (built from these sources): not rebuilding.');
    process.exit(0);
  }
}
const run = (script) => execFileSync(process.execPath, script, { cwd: ROOT, stdio: 'inherit' });
try {
  run([fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json']);
  // A process of its own: the stamp is written by the build just made, not by the one loaded above.
  run(['scripts/stamp-build.mjs']);
} catch {
  process.exit(1);
}
