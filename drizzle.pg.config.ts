import { defineConfig } from 'drizzle-kit';

/** The PostgreSQL engine's migrations (drizzle.config.ts holds SQLite's). */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/storage/postgres/schema.ts',
  out: './migrations/postgres',
  dbCredentials: { url: process.env['DATABASE_URL'] ?? 'postgres://localhost/ledger' },
  strict: true,
  verbose: true,
});
