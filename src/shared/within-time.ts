/**
 * `work`'s value, or `fallback` if it has not settled within `ms`: for waits
 * that must not hold everything behind them (a hung connection's query).
 * `work` goes on; what it settles with later is dropped (handle its failures).
 */
export async function withinTime<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
