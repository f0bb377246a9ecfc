/**
 * `npm run bench`: every figure BENCHMARKS.md records, measured in one run on
 * this machine, printed as it is measured and then as a Markdown table. Nothing
 * here asserts: targets live in BENCHMARKS.md and the issues, not in timed tests.
 *
 *   npm run bench -- mining|scale|memory|http|cache|metrics|storage|cluster   one part (or several)
 *   npm run bench -- --smoke [part...]                                         each part briefly, to see it runs
 */
import { cpus, totalmem } from 'node:os';
import { BENCH_PARTS, type BenchPartName } from './parts.js';
import type { Report } from './report.js';

const rows: Array<[string, string]> = [];
const report: Report = (name, value) => {
  rows.push([name, value]);
  console.log(`${name.padEnd(80)} ${value}`);
};

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const chosen = args.filter((part): part is BenchPartName => part in BENCH_PARTS);
const started = Date.now();
for (const name of chosen.length > 0 ? chosen : (Object.keys(BENCH_PARTS) as BenchPartName[])) {
  console.log(`\n## ${name}${smoke ? ' (smoke: figures too small to quote)' : ''}\n`);
  await BENCH_PARTS[name](report, { smoke });
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `\n### npm run bench${smoke ? ' -- --smoke' : ''}, ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
);
console.log('| Measure | Result |\n|---|---|');
for (const [name, value] of rows) console.log(`| ${name.trim()} | ${value} |`);
