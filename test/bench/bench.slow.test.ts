import { describe, expect, it } from 'vitest';
import { BENCH_PARTS, type BenchPartName } from '../../bench/parts.js';
import { requirePostgres } from '../helpers/postgres.js';

/** The parts that compare or run on PostgreSQL. */
const NEEDS_POSTGRES: readonly BenchPartName[] = ['storage', 'cluster'];

describe('npm run bench -- --smoke', () => {
  it.for(Object.keys(BENCH_PARTS) as BenchPartName[])('runs the %s part through, reporting every figure', async (part, context) => {
    if (NEEDS_POSTGRES.includes(part)) requirePostgres(context);
    const rows: Array<[string, string]> = [];
    await BENCH_PARTS[part]((name, value) => rows.push([name, value]), { smoke: true });
    expect(rows.length).toBeGreaterThan(0);
    for (const [name, value] of rows) {
      expect(name.trim(), part).not.toBe('');
      expect(value, name).toMatch(/\S/);
      expect(value, name).not.toMatch(/NaN|undefined|Infinity/);
    }
  });
});
