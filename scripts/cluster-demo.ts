/**
 * `npm run cluster:demo`: a throwaway PostgreSQL cluster, three ledger servers
 * on it (INSTANCE_ID a, b and c, each on a free loopback port) and a
 * round-robin reverse proxy in front of them on PORT (default 4000), for
 * watching the instances share one chain: open the explorer on one instance,
 * mine through the proxy, and the block shows up everywhere.
 *
 * The proxy passes WebSocket upgrades (graphql-ws on /graphql) and
 * Server-Sent Events through unbuffered, keeps the client's Host, appends the
 * client's address to X-Forwarded-For (the instances get TRUST_PROXY=127.0.0.1,
 * so rate limits count the real client), and names the instance that answered
 * in `x-served-by`. An instance that refuses the connection (it died) is
 * skipped for the next one. Ctrl-C stops the proxy, then the instances
 * (SIGTERM, waiting for each to exit), then removes the cluster. Other
 * variables (DIFFICULTY, MINING_THREADS, ...) pass through to the instances.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { normalizeAddress } from '../src/http/client-address.js';
import { isLoopbackHost, parseHostHeader } from '../src/http/host-check.js';
import { startDemoDatabase } from './demo-database.js';

const INSTANCE_IDS = ['a', 'b', 'c'] as const;
const LOOPBACK = '127.0.0.1';
/** How long an instance gets to shut down after SIGTERM (its own limit is 10 s) before it is killed. */
const STOP_GRACE_MS = 15_000;

/** Hop-by-hop headers (RFC 9110 7.6.1): they describe one connection and are not forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

interface Instance {
  readonly id: string;
  readonly child: ChildProcess;
  /** Its port once it has announced its URL. */
  port: number | null;
  alive: boolean;
  /** The exit code, or the signal's name. */
  readonly exited: Promise<number | string>;
}

const proxyPort = Number(process.env['PORT'] ?? '4000');
const proxyHost = process.env['HOST'] ?? LOOPBACK;
if (!Number.isInteger(proxyPort) || proxyPort < 0 || proxyPort > 65_535) {
  console.error(`PORT=${process.env['PORT']} is not a port number from 0 to 65535.`);
  process.exit(1);
}

const { cluster, url: databaseUrl } = await startDemoDatabase();

// The instances listen on loopback ports of their own; PORT and HOST are the proxy's.
const environment: NodeJS.ProcessEnv = { ...process.env };
for (const name of ['DATABASE_PATH', 'PORT', 'HOST']) delete environment[name];

let stopping = false;
const instances = INSTANCE_IDS.map(startInstance);

/** Starts one instance in a process group of its own: Ctrl-C reaches only this script, which stops the instances in order. */
function startInstance(id: string): Instance {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '../dist/main.js')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      LOG_FORMAT: 'text',
      TRUST_PROXY: LOOPBACK,
      ...environment,
      DATABASE_URL: databaseUrl,
      INSTANCE_ID: id,
      HOST: LOOPBACK,
      PORT: '0',
    },
    detached: true,
  });
  const exited = new Promise<number | string>((done) => child.once('close', (code, signal) => done(code ?? signal ?? 'unknown')));
  const instance: Instance = { id, child, port: null, alive: true, exited };
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      const announced = /Ledger server on http:\/\/[^/\s]+:(\d+)\/graphql/.exec(line);
      if (announced?.[1] !== undefined && instance.port === null) instance.port = Number(announced[1]);
      out.write(`[${id}] ${line}\n`);
    });
  }
  void exited.then((code) => {
    instance.alive = false;
    if (stopping) return;
    const others = instances.filter((other) => other.alive).map((other) => other.id);
    if (instance.port === null) {
      console.error(`Instance ${id} exited (${code}) before it started listening: stopping the demo.`);
      void stop(1);
    } else if (others.length === 0) {
      console.error(`Instance ${id} exited (${code}), and no instance is left: stopping the demo.`);
      void stop(1);
    } else {
      console.error(
        `Instance ${id} exited (${code}): the proxy skips it; ${others.join(' and ')} ${others.length === 1 ? 'keeps' : 'keep'} serving.`,
      );
    }
  });
  return instance;
}

// ---- The proxy ---------------------------------------------------------------------------

/** Connections passed through as raw bytes (WebSockets), which the HTTP server no longer tracks. */
const tunnels = new Set<Socket>();
let turn = 0;

/** A TCP connection to `port` on loopback, once established. */
function connectTo(port: number): Promise<Socket> {
  return new Promise((resolveSocket, reject) => {
    const socket = connect({ port, host: LOOPBACK, noDelay: true });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolveSocket(socket);
    });
  });
}

/**
 * A connection to the next instance in turn. One that has exited or refuses
 * the connection is skipped for the one after it; nothing of the request has
 * been read at that point, so no body needs replaying. null when none accepts.
 */
async function connectNext(): Promise<{ instance: Instance; socket: Socket } | null> {
  for (let tried = 0; tried < instances.length; tried++) {
    const instance = instances[turn++ % instances.length]!;
    if (!instance.alive || instance.port === null) continue;
    try {
      return { instance, socket: await connectTo(instance.port) };
    } catch {
      // Refused or reset: try the next instance.
    }
  }
  return null;
}

/** What the instance is told: the client's headers less hop-by-hop ones, its address appended to X-Forwarded-For. Host is kept: the instances check Origin against it. */
function forwardedHeaders(request: IncomingMessage, keep: ReadonlySet<string> = new Set()): IncomingHttpHeaders {
  const listed = new Set((request.headers.connection ?? '').split(',').map((name) => name.trim().toLowerCase()));
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (keep.has(name) || (!HOP_BY_HOP.has(name) && !listed.has(name))) headers[name] = value;
  }
  const client = normalizeAddress(request.socket.remoteAddress ?? 'unknown');
  const prior = [request.headers['x-forwarded-for'] ?? []].flat().join(', ');
  headers['x-forwarded-for'] = prior === '' ? client : `${prior}, ${client}`;
  return headers;
}

/**
 * DNS rebinding: the instances trust this proxy (TRUST_PROXY) and so no longer
 * check Host themselves; a proxy on loopback answers only to loopback names,
 * as a single server on loopback does.
 */
function misdirected(request: IncomingMessage): boolean {
  if (!isLoopbackHost(proxyHost)) return false;
  const host = request.headers.host;
  if (host === undefined) return false;
  const parsed = parseHostHeader(host);
  return parsed === null || !isLoopbackHost(parsed.hostname);
}

function answer(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  response.end(JSON.stringify({ errors: [{ message, extensions: { code: status === 421 ? 'MISDIRECTED_REQUEST' : 'BAD_GATEWAY' } }] }));
}

const LOOPBACK_ONLY = 'This demo proxy listens on loopback and answers only to localhost, 127.0.0.1 or [::1].';

async function forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (misdirected(request)) return answer(response, 421, LOOPBACK_ONLY);
  const upstream = await connectNext();
  if (upstream === null) return answer(response, 502, 'No instance of the cluster accepts connections.');
  const { instance, socket } = upstream;
  // No agent: one connection per request, the one just made (Connection: close).
  const outgoing = httpRequest({
    createConnection: () => socket,
    method: request.method,
    path: request.url,
    headers: forwardedHeaders(request),
  });
  outgoing.on('response', (incoming) => {
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(incoming.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
    response.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, { ...headers, 'x-served-by': instance.id });
    // Server-Sent Events: the headers now, each event as it arrives (pipe writes every chunk at once).
    response.flushHeaders();
    incoming.pipe(response);
    incoming.once('error', () => response.destroy());
  });
  outgoing.once('error', () => {
    if (response.headersSent) response.destroy();
    else answer(response, 502, `Instance ${instance.id} closed the connection without answering.`);
  });
  // The client went away (a subscription closed in the browser): so does the request upstream.
  response.once('close', () => {
    if (!response.writableFinished) outgoing.destroy();
  });
  request.pipe(outgoing);
}

/** A WebSocket upgrade: the request head goes to the next instance, its answer gets `x-served-by`, then bytes flow both ways untouched. */
async function tunnel(request: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
  client.on('error', () => client.destroy());
  const refuse = (status: string, message: string): void =>
    void client.end(
      `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
    );
  if (misdirected(request)) return refuse('421 Misdirected Request', LOOPBACK_ONLY);
  const upstream = await connectNext();
  if (upstream === null) return refuse('502 Bad Gateway', 'No instance of the cluster accepts connections.');
  const { instance, socket } = upstream;
  tunnels.add(client);
  client.once('close', () => {
    tunnels.delete(client);
    socket.destroy();
  });
  socket.on('error', () => client.destroy());
  socket.once('close', () => client.destroy());

  const headers = forwardedHeaders(request, new Set(['connection', 'upgrade']));
  const lines = Object.entries(headers).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value ?? '']).map((each) => `${name}: ${each}\r\n`),
  );
  socket.write(`${request.method} ${request.url} HTTP/1.1\r\n${lines.join('')}\r\n`);
  if (head.length > 0) socket.write(head);
  client.pipe(socket);

  let answerHead = Buffer.alloc(0);
  const readHead = (chunk: Buffer): void => {
    answerHead = Buffer.concat([answerHead, chunk]);
    const end = answerHead.indexOf('\r\n\r\n');
    if (end === -1) {
      if (answerHead.length > 65_536) client.destroy();
      return;
    }
    socket.off('data', readHead);
    client.write(
      Buffer.concat([answerHead.subarray(0, end + 2), Buffer.from(`x-served-by: ${instance.id}\r\n`), answerHead.subarray(end + 2)]),
    );
    socket.pipe(client);
  };
  socket.on('data', readHead);
}

const proxy = createServer((request, response) => void forward(request, response));
proxy.on('upgrade', (request: IncomingMessage, client: Socket, head: Buffer) => void tunnel(request, client, head));

// ---- Start-up and shutdown ---------------------------------------------------------------

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // No new connections; those open stay, so subscriptions end as the instances close them.
  proxy.close();
  const running = instances.filter((instance) => instance.alive);
  if (running.length > 0) console.log(`Stopping instance(s) ${running.map((instance) => instance.id).join(', ')}...`);
  const codes = await Promise.all(
    instances.map(async (instance) => {
      if (!instance.alive) return instance.exited;
      instance.child.kill('SIGTERM');
      const killer = setTimeout(() => {
        console.error(`Instance ${instance.id} did not exit within ${STOP_GRACE_MS / 1000} s of SIGTERM: killing it.`);
        instance.child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      const exitCode = await instance.exited;
      clearTimeout(killer);
      return exitCode;
    }),
  );
  proxy.closeAllConnections();
  for (const socket of tunnels) socket.destroy();
  await cluster.stop();
  console.log('Cluster stopped and removed.');
  process.exit(code !== 0 ? code : codes.every((exitCode) => exitCode === 0) ? 0 : 1);
}

// One stop, whatever the number of signals: npm and tsx may pass Ctrl-C's SIGINT on again.
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const startTimeout = Date.now() + 60_000;
while (!stopping && instances.some((instance) => instance.port === null)) {
  if (Date.now() > startTimeout) {
    console.error('The instances did not all start within 60 s: stopping the demo.');
    await stop(1);
  }
  await new Promise((wait) => setTimeout(wait, 50));
}
if (!stopping) {
  try {
    await new Promise<void>((listening, failed) => {
      proxy.once('error', failed);
      proxy.listen(proxyPort, proxyHost, () => {
        proxy.off('error', failed);
        listening();
      });
    });
  } catch (error) {
    console.error(`The proxy cannot listen on ${proxyHost}:${proxyPort}: ${(error as Error).message}`);
    await stop(1);
  }
}
if (!stopping) {
  const address = proxy.address();
  const port = typeof address === 'object' && address !== null ? address.port : proxyPort;
  const origin = (host: string, at: number): string => `http://${host.includes(':') ? `[${host}]` : host}:${at}`;
  const front = origin(proxyHost === '0.0.0.0' || proxyHost === '::' ? LOOPBACK : proxyHost, port);
  const first = instances[0]!;
  console.log(`
Cluster of ${instances.length} instances on one PostgreSQL database, behind a round-robin proxy:
  proxy        ${front}/graphql  (GraphiQL), explorer ${front}/  (each request to the next instance: see x-served-by)
${instances.map((instance) => `  instance ${instance.id}   ${origin(LOOPBACK, instance.port!)}/graphql  (GraphiQL), explorer ${origin(LOOPBACK, instance.port!)}/`).join('\n')}

Open the explorer on instance ${first.id} (${origin(LOOPBACK, first.port!)}/) and mine through the proxy; every block shows up on every instance:
  curl -si ${front}/graphql -H 'content-type: application/json' -d '{"query":"mutation { mineBlock { block { index } } }"}' | grep -iE 'x-served-by|index'
Ctrl-C stops the proxy, the instances and the cluster.
`);
}
