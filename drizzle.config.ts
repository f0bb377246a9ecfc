import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/storage/sqlite/schema.ts',
  out: './migrations/sqlite',
  dbCredentials: { url: process.env['DATABASE_PATH'] ?? './data/chain.db' },
  strict: true,
  verbose: true,
});
