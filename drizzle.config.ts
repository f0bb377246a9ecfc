import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/storage/schema.ts',
  out: './migrations',
  dbCredentials: { url: process.env['DATABASE_PATH'] ?? './data/chain.db' },
  strict: true,
  verbose: true,
});
