import type { IncomingMessage, ServerResponse } from 'node:http';
import { withinTime } from '../shared/within-time.js';

/** What `/readyz` reports: whether a load balancer should send this instance requests, and why not. */
export interface Readiness {
  readonly ready: boolean;
  readonly instance: string;
  readonly checks: {
    /** `ok`, or why the database cannot serve (unreachable, timed out, migrated by another version). */
    readonly database: string;
    readonly shuttingDown: boolean;
    /** The connection hearing the other instances (PostgreSQL); its absence slows live updates, nothing else. */
    readonly notifications: 'connected' | 'reconnecting' | 'not used';
    /**
     * `ok`, or why mines are refused here (a chain mined at another difficulty,
     * a damaged file). Reads are still served, so the instance stays ready.
     */
    readonly mining: string;
    /** `built` once the Merkle tree covers the chain; while a chain older than it gets one, how far it is (not ready meanwhile). */
    readonly history: string;
  };
}

export interface HealthOptions {
  readonly instanceId: string;
  /** Resolves if the database answers and has the migrations this code needs; rejects with why not. */
  readonly ping: () => Promise<void>;
  /** Whether the instance is shutting down (or draining before it). */
  readonly shuttingDown: () => boolean;
  /** Whether the notifications' connection is up, or null where there is none. */
  readonly notifications: () => boolean | null;
  /** Why mines are refused now, or null when they are not. */
  readonly miningRefusal?: () => Promise<string | null>;
  /** How far the Merkle tree's build is, or null once it covers the chain. */
  readonly history?: () => string | null;
  /** Longest a readiness check waits for the database, in ms. */
  readonly pingTimeoutMs?: number;
}

const HEALTH_PATH = '/healthz';
const READY_PATH = '/readyz';

/** `ok`, or why the database cannot serve: its error's message, or that it did not answer in time. */
function databaseVerdict(ping: () => Promise<void>, timeoutMs: number): Promise<string> {
  const answered = ping().then(
    () => 'ok',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  return withinTime(answered, timeoutMs, `no answer within ${timeoutMs} ms`);
}

/** Checks readiness now: the database answers, has this code's migrations, and the instance is not shutting down. */
export async function checkReadiness({
  instanceId,
  ping,
  shuttingDown,
  notifications,
  miningRefusal = () => Promise.resolve(null),
  history = () => null,
  pingTimeoutMs = 2000,
}: HealthOptions): Promise<Readiness> {
  const closing = shuttingDown();
  const started = performance.now();
  const database = closing ? 'not checked: shutting down' : await databaseVerdict(ping, pingTimeoutMs);
  // Within what is left of the same bound: the refusal may read the chain's difficulty again.
  const remainingMs = Math.max(1, pingTimeoutMs - (performance.now() - started));
  const mining =
    closing || database !== 'ok'
      ? 'not checked'
      : await withinTime(
          miningRefusal().then(
            (refusal) => (refusal === null ? 'ok' : `refused: ${refusal}`),
            () => 'not checked',
          ),
          remainingMs,
          'not checked',
        );
  const listening = notifications();
  const building = history();
  return {
    ready: !closing && database === 'ok' && building === null,
    instance: instanceId,
    checks: {
      database,
      shuttingDown: closing,
      notifications: listening === null ? 'not used' : listening ? 'connected' : 'reconnecting',
      mining,
      history: building === null ? 'built' : `building the Merkle tree: ${building}`,
    },
  };
}

function sendJson(request: IncomingMessage, response: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : text);
}

/**
 * `GET /healthz`: the process is alive and serving HTTP (200, always, while
 * it runs). `GET /readyz`: 200 when this instance should get requests, 503
 * (with the failing check) when not; both with JSON bodies. Answers false for
 * other paths.
 */
export function createHealthRoutes(options: HealthOptions): (request: IncomingMessage, response: ServerResponse) => boolean {
  const startedAt = Date.now();
  return (request, response) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== HEALTH_PATH && path !== READY_PATH) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      sendJson(request, response, 405, { status: 'method not allowed' });
      return true;
    }
    if (path === HEALTH_PATH) {
      sendJson(request, response, 200, {
        status: 'ok',
        instance: options.instanceId,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      });
      return true;
    }
    checkReadiness(options).then(
      (readiness) =>
        sendJson(request, response, readiness.ready ? 200 : 503, { status: readiness.ready ? 'ready' : 'not ready', ...readiness }),
      () => sendJson(request, response, 503, { status: 'not ready', instance: options.instanceId }),
    );
    return true;
  };
}
