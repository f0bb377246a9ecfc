import { connect, createServer, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';

/**
 * A TCP proxy on loopback in front of PostgreSQL's Unix socket that can go
 * silent: `cut()` stops forwarding in both directions without closing
 * anything (what a dropped link or a dead switch looks like: the kernel still
 * accepts data, no answer ever comes, no FIN, no RST); `heal()` forwards
 * again, including what arrived meanwhile.
 */
export interface SilentProxy {
  /** `url` with its host and port replaced by the proxy's. */
  readonly url: string;
  cut(): void;
  heal(): void;
}

interface Pair {
  readonly client: Socket;
  readonly server: Socket;
}

/** Starts the proxy for the test's database `url` (a Unix-socket URL of the throwaway cluster); closed when the test finishes. */
export async function startSilentProxy(url: string): Promise<SilentProxy> {
  // postgres://user@/database?host=<socket directory>: no host, which WHATWG URL refuses.
  const parsed = /^postgres(?:ql)?:\/\/([^@/]*)@\/([^?]+)\?host=([^&]+)$/.exec(url);
  if (parsed === null) throw new Error(`expected a Unix-socket URL of the throwaway cluster, got ${url}`);
  const [, user, database, socketDirectory] = parsed;
  const socketPath = `${decodeURIComponent(socketDirectory!)}/.s.PGSQL.5432`;
  const pairs = new Set<Pair>();
  let silent = false;

  const forward = (from: Socket, to: Socket): void => {
    from.on('data', (chunk: Buffer) => {
      to.write(chunk);
    });
    from.on('end', () => to.end());
    from.on('error', () => to.destroy());
    from.on('close', () => to.destroy());
  };

  const server = createServer((client) => {
    const upstream = connect(socketPath);
    const pair = { client, server: upstream };
    pairs.add(pair);
    client.on('close', () => pairs.delete(pair));
    if (silent) pause(pair);
    forward(client, upstream);
    forward(upstream, client);
  });
  // Paused sockets stop reading: what the peer sends waits in the kernel's buffers, unanswered.
  const pause = ({ client, server: upstream }: Pair): void => {
    client.pause();
    upstream.pause();
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  onTestFinished(async () => {
    for (const { client, server: upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise((resolve) => server.close(resolve));
  });

  return {
    url: `postgres://${user}@127.0.0.1:${port}/${database}`,
    cut() {
      silent = true;
      for (const pair of pairs) pause(pair);
    },
    heal() {
      silent = false;
      for (const { client, server: upstream } of pairs) {
        client.resume();
        upstream.resume();
      }
    },
  };
}
