import Sqlite from 'better-sqlite3';

/**
 * `PRAGMA quick_check` of the database file at `path`, on a read-only
 * connection of its own: `['ok']`, or what SQLite found wrong (a check that
 * stops on damage says so as its one finding). Throws if the file cannot be
 * opened at all.
 */
export function quickCheck(path: string): string[] {
  const connection = new Sqlite(path, { readonly: true, fileMustExist: true });
  try {
    const rows = connection.pragma('quick_check') as Array<{ quick_check: string }>;
    return rows.map((row) => row.quick_check);
  } catch (error) {
    return [`quick_check could not run: ${error instanceof Error ? error.message : String(error)}`];
  } finally {
    connection.close();
  }
}
