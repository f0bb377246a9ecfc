import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The repository root: the same from src/shared and dist/shared. */
const ROOT = resolve(import.meta.dirname, '../..');
export const SOURCE_DIRECTORY = join(ROOT, 'src');
export const BUILD_DIRECTORY = join(ROOT, 'dist');
/** Written beside the build: the digest of the sources it was built from. */
const STAMP_FILE = join(BUILD_DIRECTORY, '.sources.sha256');
/** What else decides the build's output. */
const BUILD_CONFIG = ['tsconfig.json', 'tsconfig.build.json'].map((file) => join(ROOT, file));

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** SHA-256 over every file of src/ (path and content) and the build's configuration. */
export function sourcesDigest(): string {
  const hash = createHash('sha256');
  for (const file of [...filesUnder(SOURCE_DIRECTORY), ...BUILD_CONFIG]) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Records that dist/ now holds the build of `digest`: the sources as they
 * were when the build started (by default, as they are now).
 */
export function writeBuildStamp(digest: string = sourcesDigest()): void {
  writeFileSync(STAMP_FILE, `${digest}\n`);
}

/**
 * Forgets which sources dist/ was built from, before a build: tsc writes its
 * output even when it fails, so a stamp left from the build before would
 * vouch for whatever the failed one wrote.
 */
export function clearBuildStamp(): void {
  rmSync(STAMP_FILE, { force: true });
}

/** Whether dist/ was built from exactly the sources as they are now (`digest`, when already taken). */
export function builtFromCurrentSources(digest: string = sourcesDigest()): boolean {
  if (!existsSync(STAMP_FILE)) return false;
  return readFileSync(STAMP_FILE, 'utf8').trim() === digest;
}
