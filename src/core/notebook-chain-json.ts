import type { Block } from './block.js';
import { toNotebookBlockJson } from './notebook-format.js';

interface NotebookChainJsonOptions {
  /** Length of the chain the blocks come from (the notebook's `length`); a whole chain when it equals the number of blocks written. */
  readonly length: number;
  /** The notebook's `message`, for `GET /blocks`; chain files carry none. */
  readonly message?: string;
  /** Pieces are about this many characters (default 64 Ki): small blocks gathered, large ones cut. */
  readonly pieceChars?: number | undefined;
}

/** Large enough that a writer's per-piece cost is negligible, small enough that pieces die young. */
const PIECE_CHARS = 64 * 1024;

/** How a block's JSON begins when it has data: `data` sorts first among the notebook's keys. */
const DATA_OPENING = '{"data":"';

/**
 * One block's JSON (`JSON.stringify` of its notebook form) in pieces of about
 * `pieceChars`: a block holding 1 MiB of control characters is 6 MiB of JSON,
 * written as about a hundred short strings that die young rather than one
 * that waits for a full garbage collection. A slice never ends between the two
 * halves of a surrogate pair, which JSON.stringify would escape apart.
 */
function* blockJsonPieces(block: Block, pieceChars: number): Generator<string, void, undefined> {
  const json = toNotebookBlockJson(block);
  const data = block.data;
  if (data === null || data.length <= pieceChars) {
    yield JSON.stringify(json);
    return;
  }
  const rest = JSON.stringify({ ...json, data: '' });
  yield DATA_OPENING;
  for (let start = 0; start < data.length;) {
    let end = Math.min(data.length, start + pieceChars);
    const last = data.charCodeAt(end - 1);
    // A slice of one high surrogate takes its pair along; a longer one leaves it for the next.
    if (end < data.length && last >= 0xd800 && last <= 0xdbff) end += end - 1 === start ? 1 : -1;
    yield JSON.stringify(data.slice(start, end)).slice(1, -1);
    start = end;
  }
  yield rest.slice(DATA_OPENING.length);
}

/** The chain's text piece by piece: `add` each batch of blocks in index order, then `end`. */
function createChainJsonPieces({ length, message, pieceChars = PIECE_CHARS }: NotebookChainJsonOptions) {
  let piece = '{"blockchain": [';
  let separator = '\n';
  return {
    *add(batch: readonly Block[]): Generator<string, void, undefined> {
      for (const block of batch) {
        for (const part of blockJsonPieces(block, pieceChars)) {
          const text = separator + part;
          separator = '';
          if (piece.length + text.length > pieceChars && piece.length > 0) {
            yield piece;
            piece = '';
          }
          piece += text;
        }
        separator = ',\n';
      }
    },
    end(): string {
      const messageMember = message === undefined ? '' : `, "message": ${JSON.stringify(message)}`;
      return `${piece}\n], "length": ${length}${messageMember}}\n`;
    },
  };
}

/**
 * The notebook's `{"blockchain": [...], "length": N, "message": ...}` as text, in
 * pieces: one block per line, small blocks gathered into pieces of about
 * `pieceChars`, a large one's data cut into slices of `pieceChars`
 * characters (at most six times as long once escaped). So no chain is too
 * long, nor its blocks too large, to write in bounded memory. Keys are in the
 * notebook's (sorted) order.
 */
export function* notebookChainJsonChunks(
  batches: Iterable<readonly Block[]>,
  options: NotebookChainJsonOptions,
): Generator<string, void, undefined> {
  const pieces = createChainJsonPieces(options);
  for (const batch of batches) yield* pieces.add(batch);
  yield pieces.end();
}

/** `notebookChainJsonChunks` of batches read as they are asked for (a repository's). */
export async function* notebookChainJsonChunksOf(
  batches: AsyncIterable<readonly Block[]>,
  options: NotebookChainJsonOptions,
): AsyncGenerator<string, void, undefined> {
  const pieces = createChainJsonPieces(options);
  for await (const batch of batches) yield* pieces.add(batch);
  yield pieces.end();
}
