import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CriticalityLevel } from '@graphql-inspector/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkSchemaContract,
  checkSchemaFiles,
  contractHolds,
  formatReport,
  parseAcceptedChanges,
  releaseSchema,
  SchemaContractError,
  unacceptedBreakingChanges,
  type AcceptedBreakingChange,
  type SchemaContractFiles,
} from '../../scripts/schema-contract.js';

const NAMES = { current: 'schema.graphql', released: 'released.graphql', accepted: 'accepted.json' };

/** A small documented schema; `extra` goes into `Query`, `block` is the `Query.block` field. */
function sdl({ extra = '', block = '"Position in the chain." index: Int' } = {}): string {
  return `
    "Reads."
    type Query {
      "The block at an index."
      block(${block}): Block
      ${extra}
    }
    "A block."
    type Block {
      "Its position."
      index: Int!
      "Its hash."
      hash: String!
    }
  `;
}

async function check(released: string, current: string, accepted: AcceptedBreakingChange[] = []) {
  const report = await checkSchemaContract({ released, current, accepted });
  return { report, holds: contractHolds(report), text: formatReport(report, NAMES) };
}

describe('schema contract', () => {
  it('fails on a removed field, a breaking change', async () => {
    const { report, holds, text } = await check(sdl({ extra: '"Old." old: Int' }), sdl());
    expect(holds).toBe(false);
    expect(unacceptedBreakingChanges(report)).toMatchObject([{ path: 'Query.old', type: 'FIELD_REMOVED' }]);
    expect(text).toMatch(/^BREAKING: 1\n {2}Query\.old \[FIELD_REMOVED\] Field 'old' was removed.*\n {4}NOT ACCEPTED$/m);
    expect(text).toContain('Schema check failed: 1 breaking change(s) not accepted.');
  });

  it('passes an added field, a non-breaking change', async () => {
    const { report, holds, text } = await check(sdl(), sdl({ extra: '"New." tip: Block' }));
    expect(holds).toBe(true);
    expect(report.changes).toContainEqual(
      expect.objectContaining({ level: CriticalityLevel.NonBreaking, type: 'FIELD_ADDED', path: 'Query.tip' }),
    );
    expect(text).toMatch(/^BREAKING: none\nDANGEROUS: none\nNON_BREAKING: 2\n/m);
    expect(text).toMatch(/Schema check passed\.$/);
  });

  it('fails when a nullable argument becomes non-null', async () => {
    const { report, holds } = await check(sdl(), sdl({ block: '"Position in the chain." index: Int!' }));
    expect(holds).toBe(false);
    expect(unacceptedBreakingChanges(report)).toMatchObject([{ path: 'Query.block.index', type: 'FIELD_ARGUMENT_TYPE_CHANGED' }]);
  });

  it('passes the removal of a field the released schema deprecated with a reason', async () => {
    const released = sdl({ extra: '"Old." old: Int @deprecated(reason: "Use `block`.")' });
    const { report, holds, text } = await check(released, sdl());
    expect(holds).toBe(true);
    expect(report.changes).toMatchObject([{ level: CriticalityLevel.Dangerous, type: 'FIELD_REMOVED', path: 'Query.old' }]);
    expect(text).toMatch(/^DANGEROUS: 1\n {2}Query\.old \[FIELD_REMOVED\]/m);
  });

  it('passes a breaking change that is deliberately accepted, and prints why', async () => {
    const accepted = [{ path: 'Query.old', type: 'FIELD_REMOVED', reason: 'Nobody ever called it.' }];
    const { holds, text } = await check(sdl({ extra: '"Old." old: Int' }), sdl(), accepted);
    expect(holds).toBe(true);
    expect(text).toContain('    accepted: Nobody ever called it.');
    expect(text).toContain('Schema check passed (1 breaking change(s) accepted).');
  });

  it('fails on a stale acceptance: one that matches no breaking change', async () => {
    const accepted = [{ path: 'Query.gone', type: 'FIELD_REMOVED', reason: 'Was removed once.' }];
    const { report, holds, text } = await check(sdl(), sdl(), accepted);
    expect(holds).toBe(false);
    expect(report.stale).toEqual(accepted);
    expect(text).toContain('Stale entries in accepted.json (no breaking change matches them; remove them):\n  Query.gone [FIELD_REMOVED]');
  });

  it('counts an acceptance of a change that is not breaking as stale', async () => {
    const released = sdl({ extra: '"Old." old: Int @deprecated(reason: "Use `block`.")' });
    const accepted = [{ path: 'Query.old', type: 'FIELD_REMOVED', reason: 'Deprecated first.' }];
    const { report, holds } = await check(released, sdl(), accepted);
    expect(holds).toBe(false);
    expect(report.stale).toEqual(accepted);
  });

  it('reports every missing description by its schema coordinate', async () => {
    const current = `
      "Reads."
      type Query {
        block(index: Int!): Block
        "The newest block."
        tip: Block!
        "Blocks by state."
        byState(
          "Which."
          state: State
          "How to look."
          filter: Filter
        ): [Block!]!
      }
      type Block { "Its position." index: Int! hash: String! }
      "A state."
      enum State { "Good." VALID INVALID }
      "A filter."
      input Filter { "From." from: Int to: Int }
      scalar SafeInt
    `;
    const { report, holds, text } = await check(current, current);
    expect(holds).toBe(false);
    expect(report.undocumented).toEqual([
      'Query.block',
      'Query.block(index:)',
      'Block',
      'Block.hash',
      'State.INVALID',
      'Filter.to',
      'SafeInt',
    ]);
    expect(text).toContain('Missing descriptions in schema.graphql:\n  Query.block\n  Query.block(index:)\n');
  });

  it('fails on a deprecation without a reason, or with a blank one', async () => {
    const current = sdl({ extra: '"Old." old: Int @deprecated "Older." older: Int @deprecated(reason: " ")' });
    const { report, holds } = await check(current, current);
    expect(holds).toBe(false);
    expect(report.deprecatedWithoutReason).toEqual(['Query.old', 'Query.older']);
  });

  it('refuses a malformed accepted list, naming the problem', () => {
    expect(() => parseAcceptedChanges('{}', 'accepted.json')).toThrow(SchemaContractError);
    expect(() => parseAcceptedChanges('[{"path":"Query.old","type":"FIELD_GONE","reason":"x"}]')).toThrow(/type/);
    expect(() => parseAcceptedChanges('[{"path":"Query.old","type":"FIELD_REMOVED"}]')).toThrow(/reason/);
    const entry = '{"path":"Query.old","type":"FIELD_REMOVED","reason":"x"}';
    expect(() => parseAcceptedChanges(`[${entry},${entry}]`)).toThrow(/listed twice/);
    expect(parseAcceptedChanges('[]')).toEqual([]);
  });

  it('refuses an invalid schema, naming its file', async () => {
    const broken = checkSchemaContract({ released: sdl(), current: sdl({ extra: 'tip: Missing' }), accepted: [] });
    await expect(broken).rejects.toThrow(/Unknown type "Missing"/);
  });
});

describe('the repository schema', () => {
  const file = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
  const REPOSITORY: SchemaContractFiles = {
    current: file('schema.graphql'),
    released: file('schema/released.graphql'),
    accepted: file('schema/accepted-breaking-changes.json'),
  };

  it('keeps its contract with the last released schema', async () => {
    const report = await checkSchemaFiles(REPOSITORY);
    expect(formatReport(report, NAMES)).toMatch(/Schema check passed/);
    expect(contractHolds(report)).toBe(true);
    // This release adds subscriptions, without breaking anything.
    expect(report.changes).toContainEqual(expect.objectContaining({ type: 'TYPE_ADDED', path: 'Subscription' }));
  });
});

describe('releasing the schema', () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('makes the current schema the released one and empties the accepted list', async () => {
    directory = await mkdtemp(join(tmpdir(), 'schema-release-'));
    const files: SchemaContractFiles = {
      current: join(directory, 'schema.graphql'),
      released: join(directory, 'released.graphql'),
      accepted: join(directory, 'accepted.json'),
    };
    await writeFile(files.current, sdl());
    await writeFile(files.released, sdl({ extra: '"Old." old: Int' }));
    await writeFile(files.accepted, JSON.stringify([{ path: 'Query.old', type: 'FIELD_REMOVED', reason: 'Unused.' }]));
    expect(contractHolds(await checkSchemaFiles(files))).toBe(true);

    await releaseSchema(files);

    expect(await readFile(files.released, 'utf8')).toBe(sdl());
    expect(await readFile(files.accepted, 'utf8')).toBe('[]\n');
    const after = await checkSchemaFiles(files);
    expect(after.changes).toEqual([]);
    expect(contractHolds(after)).toBe(true);
  });
});
