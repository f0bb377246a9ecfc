import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAtomicFile } from '../../src/chain-file/atomic-file.js';
import { tempDir } from '../helpers/temp-database.js';

describe('createAtomicFile', () => {
  it('puts the whole file in place on commit, leaving nothing else behind', () => {
    const dir = tempDir();
    const path = join(dir, 'chain.json');
    writeFileSync(path, 'old');
    const file = createAtomicFile(path);
    file.write('new ');
    file.write('content é');
    expect(readFileSync(path, 'utf8')).toBe('old');
    file.commit();
    expect(readFileSync(path, 'utf8')).toBe('new content é');
    expect(readdirSync(dir)).toEqual(['chain.json']);
  });

  it('leaves the destination as it was on discard', () => {
    const dir = tempDir();
    const path = join(dir, 'chain.json');
    const file = createAtomicFile(path);
    file.write('half');
    expect(existsSync(file.temporaryPath)).toBe(true);
    file.discard();
    expect(readdirSync(dir)).toEqual([]);
  });
});
