import autocannon from 'autocannon';

/**
 * Reads at full speed (autocannon) while a client mines blocks one after
 * another, against a server already running on loopback. Used by
 * `npm run load` and, briefly, by the test suite.
 */
export interface LoadResult {
  readonly reads: {
    readonly requests: number;
    readonly perSecond: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly errors: number;
    readonly non2xx: number;
    readonly timeouts: number;
  };
  readonly mined: ReadonlyArray<{ readonly index: number; readonly hash: string }>;
  readonly mineErrors: readonly string[];
}

const READ = JSON.stringify({ query: '{ chain(last: 10) { totalCount nodes { index hash previousHash proof } } }' });
const MINE = JSON.stringify({ query: 'mutation { mineBlock { block { index hash } } }' });

export async function runLoad({
  url,
  seconds,
  connections = 10,
}: {
  url: string;
  seconds: number;
  connections?: number;
}): Promise<LoadResult> {
  const mined: Array<{ index: number; hash: string }> = [];
  const mineErrors: string[] = [];
  let reading = true;
  const miner = (async () => {
    while (reading) {
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: MINE });
        const body = (await response.json()) as { data?: { mineBlock: { block: { index: number; hash: string } } }; errors?: unknown };
        if (body.data) mined.push(body.data.mineBlock.block);
        else mineErrors.push(`${response.status} ${JSON.stringify(body.errors)}`);
      } catch (error) {
        mineErrors.push(String(error));
      }
    }
  })();

  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: READ,
  });
  reading = false;
  await miner;

  return {
    reads: {
      requests: result.requests.total,
      perSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors,
      non2xx: result.non2xx,
      timeouts: result.timeouts,
    },
    mined,
    mineErrors,
  };
}
