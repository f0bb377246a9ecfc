// Builds the native proof-of-work addon (native/) with node-gyp, as better-sqlite3 builds
// its own. Runs at `npm install`. A failed build never fails the install: the server then
// mines with the WebAssembly engine and says so at start-up. The build happens in a
// temporary copy, so a failed rebuild leaves a working addon in place.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'native');
const target = join(nativeDir, 'build', 'Release', 'pow.node');
const strict = process.argv.includes('--strict');
/** node-gyp may try to download Node's headers; a network that drops packets must not hang the install. */
const BUILD_TIMEOUT_MS = 180_000;

function nodeGypCommand() {
  // npm hands lifecycle scripts the path of its bundled node-gyp; outside npm, try its usual home.
  const bundled =
    process.env.npm_config_node_gyp ??
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
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
const workDir = mkdtempSync(join(tmpdir(), 'pow-native-'));
const started = Date.now();
try {
  cpSync(nativeDir, workDir, { recursive: true, filter: (source) => !source.startsWith(join(nativeDir, 'build')) });
  const build = spawnSync(command, [...prefix, 'rebuild', '--release', ...(localHeaders ? [`--nodedir=${prefixDir}`] : [])], {
    cwd: workDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (build.status === 0) {
    mkdirSync(dirname(target), { recursive: true });
    // Renamed into place, never overwritten: a running server keeps its mapped copy intact.
    copyFileSync(join(workDir, 'build', 'Release', 'pow.node'), `${target}.new`);
    renameSync(`${target}.new`, target);
    console.log(`[native] built native/build/Release/pow.node in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } else {
    const reason = build.error?.message ?? (build.stderr || build.stdout).trim().split('\n').slice(-8).join('\n');
    const kept = existsSync(target) ? ' The previously built addon is kept.' : ' The server will use the WebAssembly engine.';
    console.warn(`[native] the native miner could not be built.${kept}\n${reason}`);
    if (strict) process.exitCode = 1;
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
