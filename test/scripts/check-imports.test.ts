import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph, layerTableProblems } from '../../scripts/check-imports.js';
import { tempDir } from '../helpers/temp-database.js';

describe('npm run imports:check', () => {
  it('finds a cycle made of a type-only import and a re-export', () => {
    const src = join(tempDir(), 'src');
    mkdirSync(join(src, 'storage'), { recursive: true });
    const files = {
      a: join(src, 'storage/a.ts'),
      b: join(src, 'storage/b.ts'),
      c: join(src, 'c.ts'),
    };
    writeFileSync(files.a, "import type { B } from './b.js';\nexport interface A { b: B }\n");
    writeFileSync(files.b, "export type { A as Alias } from './a.js';\nexport interface B { x: number }\n");
    writeFileSync(files.c, "import type { A } from './storage/a.js';\nexport const c = (a: A) => a;\n");
    expect(findCycles(importGraph(Object.values(files), src))).toEqual([[files.a, files.b].sort()]);
  });

  it('finds none in src/, and the layer table covers src/ with imports that point down', () => {
    expect(findCycles(importGraph())).toEqual([]);
    expect(layerTableProblems()).toEqual([]);
  });
});
