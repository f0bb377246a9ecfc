import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('npm start', () => {
  // The test run's global setup (test/build-dist.ts) has just built dist/ from these sources.
  it('does not build again when dist/ was built from the sources as they are', async () => {
    const built = statSync(resolve(ROOT, 'dist/main.js')).mtimeMs;
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'prestart'], { cwd: ROOT });
    expect(stdout).toMatch(/dist\/ is current/);
    expect(statSync(resolve(ROOT, 'dist/main.js')).mtimeMs).toBe(built);
  });
});
