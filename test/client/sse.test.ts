import { describe, expect, it } from 'vitest';
import { createServerSentEventParser, type ServerSentEvent } from '../../client/sse.js';

function parse(chunks: readonly string[]): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  const parser = createServerSentEventParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

// What graphql-yoga sends for a subscription: a ping, results, then complete with an empty data line.
const YOGA_STREAM =
  ':\n\nevent: next\ndata: {"data":{"blockMined":{"index":1}}}\n\n:\n\nevent: next\ndata: {"data":{"blockMined":{"index":2}}}\n\nevent: complete\ndata:\n\n';
const EXPECTED = [
  { event: 'next', data: '{"data":{"blockMined":{"index":1}}}' },
  { event: 'next', data: '{"data":{"blockMined":{"index":2}}}' },
  { event: 'complete', data: '' },
];

describe('the event-stream parser', () => {
  it("reads yoga's stream, skipping keep-alive comments", () => {
    expect(parse([YOGA_STREAM])).toEqual(EXPECTED);
  });

  it('gives the same events however the stream is cut into chunks', () => {
    for (let size = 1; size <= 7; size++) {
      const chunks = YOGA_STREAM.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [];
      expect(parse(chunks)).toEqual(EXPECTED);
    }
  });

  it('takes CRLF and CR line ends, also when a chunk ends between CR and LF', () => {
    const crlf = YOGA_STREAM.replaceAll('\n', '\r\n');
    expect(parse([crlf])).toEqual(EXPECTED);
    expect(parse(crlf.split(/(?<=\r)/))).toEqual(EXPECTED);
    expect(parse([YOGA_STREAM.replaceAll('\n', '\r')])).toEqual(EXPECTED);
  });

  it('joins data lines, keeps an event without a type as "message", and holds back an unfinished event', () => {
    expect(parse(['data: a\ndata:b\n\ndata: c\n'])).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});
