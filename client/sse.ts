/** One Server-Sent Events message: its `event:` type and its `data:` lines joined by newlines. */
export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
}

export interface ServerSentEventParser {
  /** Feeds decoded text, in chunks of any size; complete events go to `onEvent`. */
  push(text: string): void;
}

/**
 * The event-stream format of the HTML standard, as far as a GraphQL client
 * needs it: lines end with LF, CRLF or CR (a chunk may end between CR and LF),
 * comment lines (`:`, yoga's keep-alive pings) are skipped, `id:` and `retry:`
 * are ignored, and a blank line ends an event.
 */
export function createServerSentEventParser(onEvent: (event: ServerSentEvent) => void): ServerSentEventParser {
  let pending = '';
  let event = '';
  let data: string[] = [];
  // A chunk ended with CR: a LF at the start of the next one belongs to the same line end.
  let skipLeadingLf = false;

  function line(text: string): void {
    if (text === '') {
      if (data.length > 0) onEvent({ event: event === '' ? 'message' : event, data: data.join('\n') });
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }

  return {
    push(text) {
      if (text === '') return;
      if (skipLeadingLf && text.startsWith('\n')) text = text.slice(1);
      pending += text;
      const lineEnd = /\r\n|\r|\n/g;
      let start = 0;
      for (let match = lineEnd.exec(pending); match !== null; match = lineEnd.exec(pending)) {
        line(pending.slice(start, match.index));
        start = lineEnd.lastIndex;
      }
      // A CR at the very end was taken as a line end on its own: its LF may open the next chunk.
      skipLeadingLf = pending.endsWith('\r');
      pending = pending.slice(start);
    },
  };
}
