import { STDIN_PATH } from '../chain-file/file-input.js';
import type { ChainProblem, ChainValidationResult } from '../core/chain-validation.js';
import { NOTEBOOK_INVALID_MESSAGE, NOTEBOOK_VALID_MESSAGE } from '../core/notebook-format.js';
import type { CliOutput } from './io.js';

export type ValidationReport = ChainValidationResult<ChainProblem<string>>;

/** What was validated: `{ file }` (`-` for standard input) or `{ database }`, and any rule beyond the notebook's. */
type ReportSubject = ({ readonly file: string } | { readonly database: string }) & { readonly minDifficulty?: number | null };

/** The report as `--json` prints it: one object, problems in chain order. */
export function reportJson(result: ValidationReport, subject: ReportSubject): Record<string, unknown> {
  return {
    ...subject,
    valid: result.valid,
    message: result.valid ? NOTEBOOK_VALID_MESSAGE : NOTEBOOK_INVALID_MESSAGE,
    length: result.length,
    problemCount: result.problemCount,
    problems: result.problems.map(({ index, reason, message }) => ({ index, reason, message })),
  };
}

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The report for a reader: the notebook's verdict, what was read, then one line per problem. */
export function reportText(result: ValidationReport, subject: ReportSubject): string {
  const source =
    'file' in subject ? (subject.file === STDIN_PATH ? 'standard input' : `file ${subject.file}`) : `database ${subject.database}`;
  const lines = [
    `${result.valid ? NOTEBOOK_VALID_MESSAGE : NOTEBOOK_INVALID_MESSAGE} (${source})`,
    `Length: ${plural(result.length, 'block')}`,
  ];
  if (subject.minDifficulty !== undefined && subject.minDifficulty !== null)
    lines.push(`Minimum difficulty required: ${subject.minDifficulty}`);
  if (!result.valid) {
    lines.push(`Problems: ${result.problemCount}`);
    const reasonWidth = Math.max(...result.problems.map((problem) => problem.reason.length));
    for (const { index, reason, message } of result.problems) lines.push(`  block ${index}  ${reason.padEnd(reasonWidth)}  ${message}`);
    const unshown = result.problemCount - result.problems.length;
    if (unshown > 0) lines.push(`  … and ${unshown} more (only the first ${result.problems.length} are listed)`);
  }
  return `${lines.join('\n')}\n`;
}

export function writeJson(output: CliOutput, value: unknown): void {
  output.write(`${JSON.stringify(value, null, 2)}\n`);
}
