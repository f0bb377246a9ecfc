import type Sqlite from 'better-sqlite3';
import { PAGE_DATA_BYTES } from '../block-pages.js';

/** `(afterIndex, beforeIndex, rows)`: the next page of the window `afterIndex < block_index < beforeIndex`. */
type PageParameters = [afterIndex: number, beforeIndex: number, rows: number];

/**
 * How many rows of the next keyset page to read so that their data stays
 * within `maxBytes`. `octet_length` reads a value's size from the record
 * header, not the value itself, so sizing a page costs a B-tree walk and no
 * data; the usual page (small blocks) is sized by one aggregate row.
 */
export function createPageLimit(
  connection: Sqlite.Database,
  maxBytes: number = PAGE_DATA_BYTES,
): (afterIndex: number, beforeIndex: number, rows: number) => number {
  const window = 'FROM blocks WHERE block_index > ? AND block_index < ? ORDER BY block_index LIMIT ?';
  const total = connection
    .prepare<PageParameters, number | null>(`SELECT sum(size) FROM (SELECT coalesce(octet_length(data), 0) AS size ${window})`)
    .pluck();
  const sizes = connection.prepare<PageParameters, number>(`SELECT coalesce(octet_length(data), 0) ${window}`).pluck();
  return (afterIndex, beforeIndex, rows) => {
    if ((total.get(afterIndex, beforeIndex, rows) ?? 0) <= maxBytes) return rows;
    let bytes = 0;
    let count = 0;
    for (const size of sizes.all(afterIndex, beforeIndex, rows)) {
      bytes += size;
      if (count > 0 && bytes > maxBytes) break;
      count += 1;
    }
    return count;
  };
}
