import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

describe('generated resolver types', () => {
  it('are what graphql-codegen makes of schema.graphql today (run `npm run codegen` after changing it)', async () => {
    const root = resolve(import.meta.dirname, '../..');
    const previous = process.cwd();
    process.chdir(root);
    try {
      const outputs = (await generate({ ...config, silent: true }, false)) as Array<{ filename: string; content: string }>;
      expect(outputs.length).toBeGreaterThan(0);
      for (const output of outputs) {
        expect(output.content, output.filename).toBe(readFileSync(resolve(root, output.filename), 'utf8'));
      }
    } finally {
      process.chdir(previous);
    }
  });
});
