/**
 * `npm run bench`: every figure the performance issue asks for, measured in one run on
 * this machine, printed as it is measured and then as a Markdown table (what
 * BENCHMARKS.md records). Nothing here asserts: targets live in BENCHMARKS.md and the
 * issues, not in timed tests.
 *
 * `npm run bench -- mining|scale|memory|http|cache|storage|cluster` runs one part.
 */
import { cpus, totalmem } from 'node:os';
import { benchChainMemory } from './chain-memory.js';
import { benchChainScale } from './chain-scale.js';
import { benchCluster } from './cluster.js';
import { benchHttpThroughput, benchResponseCache } from './http-throughput.js';
import { benchMining } from './mining.js';
import { benchStorage } from './storage.js';
import type { Report } from './report.js';

const rows: Array<[string, string]> = [];
const report: Report = (name, value) => {
  rows.push([name, value]);
  console.log(`${name.padEnd(80)} ${value}`);
};

const parts = {
  mining: benchMining,
  scale: (r: Report) => benchChainScale(r),
  memory: (r: Report) => benchChainMemory(r),
  http: benchHttpThroughput,
  cache: benchResponseCache,
  storage: (r: Report) => benchStorage(r),
  cluster: (r: Report) => benchCluster(r),
};
const chosen = process.argv.slice(2).filter((part): part is keyof typeof parts => part in parts);
const started = Date.now();
for (const name of chosen.length > 0 ? chosen : (Object.keys(parts) as Array<keyof typeof parts>)) {
  console.log(`\n## ${name}\n`);
  await parts[name](report);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `\n### npm run bench, ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
);
console.log('| Measure | Result |\n|---|---|');
for (const [name, value] of rows) console.log(`| ${name.trim()} | ${value} |`);
