// Builds the native proof-of-work addon (native/) with node-gyp, as better-sqlite3 builds
// its own. Runs at `npm install`. A failed build never fails the install: the server then
// mines with the WebAssembly engine and says so at start-up.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'native');
const strict = process.argv.includes('--strict');

function nodeGypCommand() {
  // npm hands lifecycle scripts the path of its bundled node-gyp; outside npm, try its usual home.
  const bundled = process.env.npm_config_node_gyp ?? join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return existsSync(bundled) ? [process.execPath, bundled] : ['node-gyp'];
}

if (process.env.LEDGER_SKIP_NATIVE_BUILD === '1') {
  console.log('[native] LEDGER_SKIP_NATIVE_BUILD=1: not building the native miner');
  process.exit(0);
}
// The running Node's own headers, when installed beside it, spare node-gyp a download.
const prefixDir = join(dirname(process.execPath), '..');
const localHeaders = !process.env.npm_config_nodedir && existsSync(join(prefixDir, 'include', 'node', 'node_api.h'));
const [command, ...prefix] = nodeGypCommand();
const started = Date.now();
const build = spawnSync(command, [...prefix, 'rebuild', '--release', ...(localHeaders ? [`--nodedir=${prefixDir}`] : [])], { cwd: nativeDir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (build.status === 0) {
  console.log(`[native] built native/build/Release/pow.node in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(0);
}
const reason = build.error?.message ?? (build.stderr || build.stdout).trim().split('\n').slice(-8).join('\n');
console.warn(`[native] the native miner could not be built; the server will use the WebAssembly engine.\n${reason}`);
process.exit(strict ? 1 : 0);
