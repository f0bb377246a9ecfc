import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/core/block.js';
import { toNotebookBlockJson } from '../../src/core/notebook-format.js';
import { NOTEBOOK_BLOCKS } from '../fixtures/notebook-chain.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-database.js';

/** The notebook's `GET /blocks` body, as the notebook printed it (json.dumps, indent 2). */
function notebookFile(blocks: readonly Block[], message = 'Chain is valid.'): string {
  const path = join(tempDir(), 'notebook-chain.json');
  writeFileSync(path, JSON.stringify({ blockchain: blocks.map(toNotebookBlockJson), length: blocks.length, message }, null, 2));
  return path;
}

/** The notebook's experiment: block 1's proof set to 12345. */
const FORGED = NOTEBOOK_BLOCKS.map((block) => (block.index === 1 ? { ...block, proof: 12345 } : block));

interface Report {
  file: string;
  valid: boolean;
  message: string;
  length: number;
  minDifficulty: number | null;
  problemCount: number;
  problems: Array<{ index: number; reason: string; message: string }>;
}

describe('pow-ledger verify', () => {
  it("finds the notebook's printed chain valid (exit 0)", async () => {
    const path = notebookFile(NOTEBOOK_BLOCKS);
    const run = await runCli(['verify', path]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`Chain is valid. (file ${path})\nLength: 5 blocks\n`);
    expect(run.stderr).toBe('');

    const json = await runCli(['verify', path, '--json']);
    expect(json.exitCode).toBe(0);
    expect(json.json<Report>()).toEqual({
      file: path,
      minDifficulty: null,
      valid: true,
      message: 'Chain is valid.',
      length: 5,
      problemCount: 0,
      problems: [],
    });
  });

  it("reports the notebook's forged proof at blocks 1 and 2 (exit 1), in text and JSON", async () => {
    const path = notebookFile(FORGED, 'Chain is not valid!');
    const run = await runCli(['verify', path]);
    expect(run.exitCode).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual([`Chain is not valid! (file ${path})`, 'Length: 5 blocks', 'Problems: 3']);
    expect(lines.slice(3).map((line) => line.split(/\s{2,}/).slice(1, 3))).toEqual([
      ['block 1', 'PROOF_INVALID'],
      ['block 2', 'PREVIOUS_HASH_MISMATCH'],
      ['block 2', 'PROOF_INVALID'],
    ]);
    expect(lines[3]).toContain('Proof 12345 after proof 1 hashes to');

    const json = await runCli(['verify', path, '--json']);
    expect(json.exitCode).toBe(1);
    const report = json.json<Report>();
    expect(report).toMatchObject({ valid: false, message: 'Chain is not valid!', length: 5, problemCount: 3 });
    expect(report.problems.map(({ index, reason }) => [index, reason])).toEqual([
      [1, 'PROOF_INVALID'],
      [2, 'PREVIOUS_HASH_MISMATCH'],
      [2, 'PROOF_INVALID'],
    ]);
    expect(report.problems[1]!.message).toContain(NOTEBOOK_BLOCKS[1]!.hash);
  });

  it('with --difficulty 5, finds the notebook chain (mined at 4) invalid: DIFFICULTY_TOO_LOW', async () => {
    const path = notebookFile(NOTEBOOK_BLOCKS);
    const run = await runCli(['verify', path, '--difficulty', '5', '--json']);
    expect(run.exitCode).toBe(1);
    const report = run.json<Report>();
    expect(report.minDifficulty).toBe(5);
    expect(report.problems.map(({ index, reason }) => [index, reason])).toEqual([1, 2, 3, 4].map((index) => [index, 'DIFFICULTY_TOO_LOW']));
    expect((await runCli(['verify', path, '--difficulty', '4'])).exitCode).toBe(0);
    expect((await runCli(['verify', path, '--difficulty', '5'])).stdout).toContain('Minimum difficulty required: 5');
  });

  it('lists the first 100 problems of many and counts them all', async () => {
    // Every block after genesis claims difficulty 1 with the notebook's proofs... and links nowhere.
    const blocks = Array.from({ length: 150 }, (_, index) => ({
      ...NOTEBOOK_BLOCKS[1]!,
      index,
      previousHash: index === 0 ? '0' : 'x',
      proof: index === 0 ? 1 : 2,
    }));
    const run = await runCli(['verify', notebookFile(blocks), '--json']);
    const report = run.json<Report>();
    expect(report.problems).toHaveLength(100);
    expect(report.problemCount).toBeGreaterThan(150);
    expect((await runCli(['verify', notebookFile(blocks)])).stdout).toMatch(/… and \d+ more \(only the first 100 are listed\)\n$/);
  });

  it.each([
    ['bad JSON', '{"blockchain": [}', /not valid JSON at byte 16 \(line 1, column 17\)/],
    ['a missing field', '[{"index": 0, "previous_hash": "0", "proof": 1}]', /block at position 0 has no "timestamp"/],
    ['a wrong type', '[{"index": "0", "previous_hash": "0", "proof": 1, "timestamp": "t"}]', /"index" the string "0"/],
    ['a 0-length chain', '{"blockchain": [], "length": 0}', /bad\.json: the chain is empty/],
    ['a huge number', '[{"index": 0, "previous_hash": "0", "proof": 1e400, "timestamp": "t"}]', /"proof" 1e400/],
    [
      'a partial export',
      '{"blockchain": [{"index": 0, "previous_hash": "0", "proof": 1, "timestamp": "t"}], "length": 9}',
      /partial export/,
    ],
  ])('exits 2 on a file with %s, saying what is wrong', async (_, text, message) => {
    const path = join(tempDir(), 'bad.json');
    writeFileSync(path, text);
    const run = await runCli(['verify', path]);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);

    const json = await runCli(['verify', path, '--json']);
    expect(json.exitCode).toBe(2);
    expect(json.json()).toEqual({ error: { code: 'CHAIN_FILE_MALFORMED', message: expect.stringMatching(message) as unknown } });
  });

  it('names the file first in what is wrong with it, as `file: what at where`', async () => {
    const path = join(tempDir(), 'chain.json');
    writeFileSync(path, '{"blockchain": [}');
    expect(await runCli(['verify', path])).toMatchObject({
      exitCode: 2,
      stderr: `${path}: not valid JSON at byte 16 (line 1, column 17): unexpected "}".\n`,
    });
    writeFileSync(path, '[{"index": 0, "previous_hash": "0", "proof": 1}]');
    expect((await runCli(['verify', path, '--json'])).json()).toEqual({
      error: { code: 'CHAIN_FILE_MALFORMED', message: `${path}: the block at position 0 has no "timestamp".` },
    });
    const database = join(tempDir(), 'chain.db');
    expect((await runCli(['import', path, '--db', database])).stderr).toBe(`${path}: the block at position 0 has no "timestamp".\n`);
  });

  it('exits 2 on a file it cannot read, naming it and the reason', async () => {
    const path = join(tempDir(), 'nowhere.json');
    const run = await runCli(['verify', path]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(`Cannot read the chain file ${path}: no such file or directory (ENOENT).\n`);
    expect((await runCli(['verify', path, '--json'])).json()).toEqual({
      error: { code: 'FILE_UNREADABLE', message: `Cannot read the chain file ${path}: no such file or directory (ENOENT).` },
    });
  });
});
