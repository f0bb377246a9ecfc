import { describe, expect, it } from 'vitest';
import { checkDatabaseFile } from '../../../src/storage/sqlite/database-check.js';
import { buildChain } from '../../helpers/chains.js';
import { damageRootPage, tempChainDatabase, tempDatabasePath } from '../../helpers/temp-database.js';

describe('checkDatabaseFile', () => {
  it.each([
    ['on this thread, for a small file', {}],
    ['on a worker thread, past the inline bound', { inlineMaxBytes: 0 }],
  ])('passes a sound file and names the damage in another, %s', async (_, options) => {
    const sound = tempChainDatabase(buildChain(50));
    expect(await checkDatabaseFile(sound, options)).toEqual({ ok: true, findings: ['ok'] });
    const damaged = tempChainDatabase(buildChain(50));
    damageRootPage(damaged, 'blocks_hash_unique'); // the index: the table stays readable, quick_check does not pass
    const check = await checkDatabaseFile(damaged, options);
    expect(check.ok).toBe(false);
    expect(check.findings.length).toBeGreaterThan(0);
    expect(check.findings.join(' ')).not.toBe('ok');
  });

  it.each([{}, { inlineMaxBytes: -1 }])('rejects when the file cannot be opened (%o), and passes a database in memory', async (options) => {
    expect(await checkDatabaseFile(':memory:', options)).toEqual({ ok: true, findings: ['ok'] });
    await expect(checkDatabaseFile(tempDatabasePath(), options)).rejects.toThrow();
  });
});
