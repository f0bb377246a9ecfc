import { MINING_TURN_KEY } from '../../src/storage/postgres/mining-turn.js';
import { postgresQuery } from './postgres.js';
import { startServerProcess, type ServerProcess } from './process.js';

export interface Instance extends ServerProcess {
  readonly id: string;
}

/** Starts one server process per id on `databaseUrl`, all at the same moment (one mining thread each). */
export async function startInstances(
  databaseUrl: string,
  ids: readonly string[],
  environment: Record<string, string> = {},
): Promise<Instance[]> {
  return Promise.all(
    ids.map(async (id) => {
      const started = await startServerProcess({ DATABASE_URL: databaseUrl, INSTANCE_ID: id, MINING_RATE_LIMIT: '0', ...environment });
      return { ...started, id };
    }),
  );
}

export interface MineAnswer {
  readonly block: { readonly index: number; readonly hash: string; readonly previousHash: string } | null;
  readonly code: string | null;
}

/** One `mineBlock` over HTTP: its block, or the error code it was refused with (or `FETCH_FAILED` when the connection broke). */
export async function mineOn(url: string, data: string | null = null): Promise<MineAnswer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation ($data: String) { mineBlock(data: $data) { block { index hash previousHash } } }',
        variables: { data },
      }),
    });
    const body = (await response.json()) as {
      data?: { mineBlock?: { block: MineAnswer['block'] } } | null;
      errors?: Array<{ extensions?: { code?: string } }>;
    };
    return { block: body.data?.mineBlock?.block ?? null, code: body.errors?.[0]?.extensions?.code ?? null };
  } catch {
    return { block: null, code: 'FETCH_FAILED' };
  }
}

/** Runs a GraphQL query, returning its `data`. */
export async function queryOn<T>(url: string, query: string): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return ((await response.json()) as { data: T }).data;
}

export interface BlockFollower {
  /** Indices received so far, in arrival order. */
  readonly indices: number[];
  /** Resolves once `count` blocks have arrived. */
  received(count: number, timeoutMs?: number): Promise<number[]>;
  close(): void;
}

/** A `blockMined` subscriber over Server-Sent Events; resolves once the server has registered it. */
export async function followBlocks(url: string): Promise<BlockFollower> {
  const abort = new AbortController();
  const indices: number[] = [];
  const waiters = new Set<() => void>();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: 'subscription { blockMined { index } }' }),
    signal: abort.signal,
  });
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const match = /"index":(\d+)/.exec(event);
        if (event.includes('event: next') && match !== null) {
          indices.push(Number(match[1]));
          for (const wake of [...waiters]) wake();
        }
      }
    }
  })().catch(() => undefined);
  return {
    indices,
    received: (count, timeoutMs = 30_000) =>
      new Promise<number[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`received ${indices.length} of ${count} blocks: ${indices.join(',')}`));
        }, timeoutMs);
        function check(): void {
          if (indices.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve([...indices]);
        }
        waiters.add(check);
        check();
      }),
    close: () => abort.abort(),
  };
}

const TURN_HOLDER = `
  SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 1`;

/** The INSTANCE_ID of the instance holding the cluster's mining turn now, or null. */
export async function turnHolder(databaseUrl: string): Promise<string | null> {
  const high = Math.floor(MINING_TURN_KEY / 2 ** 32);
  const low = MINING_TURN_KEY % 2 ** 32;
  const rows = await postgresQuery<{ application_name: string }>(databaseUrl, TURN_HOLDER, [high, low]);
  return rows[0]?.application_name.replace(/^pow-ledger /, '') ?? null;
}

/** Polls until `condition` holds; rejects after `timeoutMs`. */
export async function eventually<T>(condition: () => Promise<T | null | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== null && value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
