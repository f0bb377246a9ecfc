import { describe, expect, it } from 'vitest';
import { createEventStream } from '../../src/live/event-stream.js';

describe("a subscriber's event stream", () => {
  it('hands values to a waiting next(), queues the rest, and ends after the queued ones', async () => {
    let ended = 0;
    const stream = createEventStream<number>(() => (ended += 1));
    const waiting = stream.iterator.next();
    stream.push(1);
    expect(await waiting).toEqual({ done: false, value: 1 });
    stream.push(2);
    stream.push(3);
    expect(stream.pending).toBe(2);
    stream.end();
    stream.push(4);
    expect(ended).toBe(1);
    expect(await stream.iterator.next()).toEqual({ done: false, value: 2 });
    expect(await stream.iterator.next()).toEqual({ done: false, value: 3 });
    expect(await stream.iterator.next()).toEqual({ done: true, value: undefined });
    await stream.iterator.return?.();
    expect(ended).toBe(1);
  });

  it('ends at once on return(), even while next() waits or before it was ever pulled', async () => {
    let ended = 0;
    const waitedOn = createEventStream<number>(() => (ended += 1));
    const waiting = waitedOn.iterator.next();
    expect(await waitedOn.iterator.return?.()).toEqual({ done: true, value: undefined });
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(waitedOn.ended).toBe(true);

    const neverPulled = createEventStream<number>(() => (ended += 1));
    neverPulled.push(1);
    await neverPulled.iterator.return?.();
    expect(neverPulled.pending).toBe(0);
    expect(await neverPulled.iterator.next()).toEqual({ done: true, value: undefined });
    expect(ended).toBe(2);

    const thrownInto = createEventStream<number>(() => (ended += 1));
    await expect(thrownInto.iterator.throw?.(new Error('stop'))).rejects.toThrow('stop');
    expect(ended).toBe(3);
  });

  it('keeps only the newest of values pushed as replaceable, behind the others', async () => {
    const stream = createEventStream<string>(() => undefined);
    stream.push('a', { replaceable: true });
    stream.push('b', { replaceable: true });
    stream.push('last');
    stream.push('c', { replaceable: true });
    stream.push('d', { replaceable: true });
    expect(stream.pending).toBe(3);
    const values: string[] = [];
    stream.end();
    for await (const value of stream.iterator) values.push(value);
    expect(values).toEqual(['b', 'last', 'd']);
  });

  it('drops what is queued and ends with one last value on endWith()', async () => {
    let ended = 0;
    const stream = createEventStream<string>(() => (ended += 1));
    for (let i = 0; i < 5; i++) stream.push(`block ${i}`);
    stream.endWith('too slow');
    const values: string[] = [];
    for await (const value of stream.iterator) values.push(value);
    expect(values).toEqual(['too slow']);
    expect(ended).toBe(1);
  });
});
