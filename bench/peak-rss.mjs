// Preloaded (`node --import`) by bench/chain-memory.ts into the processes it measures:
// writes the process's peak resident set size, in KiB, to PEAK_RSS_FILE as it exits.
// VmHWM, not resourceUsage().maxRSS: Linux carries maxRSS over from the parent
// across fork and exec, so a child would report at least its parent's size.
import { readFileSync, writeFileSync } from 'node:fs';
import process from 'node:process';

process.on('exit', () => {
  const file = process.env['PEAK_RSS_FILE'];
  if (!file) return;
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  writeFileSync(file, hwm ?? String(process.resourceUsage().maxRSS));
});
