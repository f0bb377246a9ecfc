import { describe, expect, it } from 'vitest';
import { POSTGRES_URL, requirePostgres } from '../helpers/postgres.js';
import { spawnMain } from '../helpers/spawn-main.js';

/** The server's stderr, once it has exited, and its exit code. */
async function failedStart(environment: Record<string, string>): Promise<{ code: number | string; output: string }> {
  const server = spawnMain(environment);
  const code = await server.exited;
  return { code, output: server.output() };
}

describe('start-up on PostgreSQL that cannot be used', () => {
  it('exits 1 with one line when the server cannot be reached', async () => {
    const { code, output } = await failedStart({
      DATABASE_URL: 'postgres://ledger:hunter2-secret@/chain?host=%2Fnonexistent-ledger-socket',
    });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(/^Could not start: Cannot open the PostgreSQL database \/nonexistent-ledger-socket\/chain: .*ENOENT/);
    expect(output).not.toContain('hunter2');
  });

  it('exits 1 with one line naming the refusal for a role the server does not know', async (context) => {
    requirePostgres(context);
    const url = POSTGRES_URL!.replace('postgres://postgres@', 'postgres://nobody:hunter2-secret@');
    const { code, output } = await failedStart({ DATABASE_URL: url });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(/^Could not start: Cannot open the PostgreSQL database .*: role "nobody" does not exist/);
    expect(output).not.toContain('hunter2');
  });

  it('refuses DATABASE_URL together with DATABASE_PATH as a configuration error', async () => {
    const { code, output } = await failedStart({ DATABASE_URL: 'postgres://localhost/chain', DATABASE_PATH: './data/chain.db' });
    expect(code).toBe(1);
    expect(output.trim()).toBe(
      'Invalid configuration: DATABASE_URL and DATABASE_PATH are both set; set DATABASE_URL for PostgreSQL or DATABASE_PATH for SQLite, not both.',
    );
  });
});
