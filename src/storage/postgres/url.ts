import { parse as parseConnectionString } from 'pg-connection-string';

/** `host/database` of a connection string, never its password. */
export function describePostgresUrl(url: string): string {
  try {
    const { host, port, database } = parseConnectionString(url);
    return `${host ?? 'localhost'}${port === undefined || port === '' || port === null ? '' : `:${port}`}/${database ?? ''}`;
  } catch {
    return 'postgres';
  }
}
