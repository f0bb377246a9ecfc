/**
 * A throwaway PostgreSQL cluster for tests and demos: Debian's binaries, a
 * temporary data directory, a Unix socket in it and no TCP port, removed again
 * at stop. As root, PostgreSQL refuses to run, so the cluster runs as the
 * `postgres` OS user in a directory that user owns.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ThrowawayPostgres {
  /** A connection string for `database` (the superuser `postgres`, over the Unix socket). */
  url(database?: string): string;
  /** The socket directory (also the data directory's parent). */
  readonly socketDir: string;
  /** The PostgreSQL server's major version. */
  readonly version: number;
  /** Stops the server, keeping its data: `fast` cuts clients off cleanly, `immediate` is as abrupt as a crash. */
  halt(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts the halted server again on the same data. */
  resume(): Promise<void>;
  /** Stops the server at once and removes its files. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** `fsync=off` (default true): fine for a cluster whose data is thrown away, never for durability tests. */
  readonly fast?: boolean;
  /** Extra `-c name=value` settings. */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * Runs PostgreSQL in a process group of its own, so that a terminal's Ctrl-C
   * reaches only the script, which stops its servers before the cluster (the demos).
   */
  readonly ownProcessGroup?: boolean;
}

/** Where `initdb` and `postgres` are: `PG_BIN`, else the newest of Debian's `/usr/lib/postgresql/<major>/bin`; `null` if none. */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env['PG_BIN'];
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(join(fromEnv, 'initdb')) ? fromEnv : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .map(Number)
    .filter((major) => Number.isInteger(major) && existsSync(join(root, String(major), 'bin', 'initdb')))
    .sort((a, b) => b - a);
  return majors.length === 0 ? null : join(root, String(majors[0]), 'bin');
}

/** uid and gid of the `postgres` OS user, when running as root (PostgreSQL refuses root). */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('running as root, PostgreSQL must run as another user, and there is no `postgres` OS user here');
  }
}

export async function startThrowawayPostgres(
  bin: string,
  { fast = true, settings = {}, ownProcessGroup = false }: StartOptions = {},
): Promise<ThrowawayPostgres> {
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'ledger-pg-'));
  const dataDir = join(dir, 'data');
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  let server: ChildProcess | null = null;
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const options = {
    listen_addresses: '',
    unix_socket_directories: dir,
    max_connections: '200',
    ...(fast ? { fsync: 'off' } : {}),
    ...settings,
  };
  const args = ['-D', dataDir, ...Object.entries(options).flatMap(([name, value]) => ['-c', `${name}=${value}`])];

  /** Starts the server on the data directory and waits until it accepts connections. */
  async function run(): Promise<ChildProcess> {
    const started = spawn(join(bin, 'postgres'), args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: ownProcessGroup,
      ...user,
    });
    server = started;
    let log = '';
    let markReady = (): void => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    started.stderr?.setEncoding('utf8').on('data', (text: string) => {
      log = (log + text).slice(-4000);
      if (log.includes('ready to accept connections')) markReady();
    });
    const exited = new Promise<never>((_, reject) =>
      started.once('exit', (code) => reject(new Error(`postgres exited (${code}) while starting:\n${log}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([ready, exited, timeout(30_000, 'postgres was not ready within 30 s')]);
    return started;
  }

  /** Stops the server: SIGINT is PostgreSQL's fast shutdown (clients cut off, data kept), SIGQUIT its immediate one (like a crash). */
  async function halt(signal: 'SIGINT' | 'SIGQUIT'): Promise<void> {
    const running = server;
    if (running === null || running.exitCode !== null || running.signalCode !== null) return;
    const gone = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await gone;
  }

  try {
    execFileSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
      stdio: 'pipe',
      ...user,
    });
    const version = Number(execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).match(/(\d+)/)?.[1]);
    await run();
    const url = (database = 'postgres'): string => `postgres://postgres@/${database}?host=${encodeURIComponent(dir)}`;
    return {
      url,
      socketDir: dir,
      version,
      halt: (mode = 'fast') => halt(mode === 'fast' ? 'SIGINT' : 'SIGQUIT'),
      async resume() {
        await run();
      },
      async stop() {
        // Immediate shutdown: the data is thrown away.
        await halt('SIGQUIT');
        remove();
      },
    };
  } catch (error) {
    (server as ChildProcess | null)?.kill('SIGKILL');
    remove();
    throw error;
  }
}

async function timeout(ms: number, message: string): Promise<never> {
  await sleep(ms, undefined, { ref: false });
  throw new Error(message);
}
