/**
 * The schema as a contract: what `scripts/schema-check.ts` checks, as functions a test can call.
 *
 * - Every change from the last released schema to the current one, found and classified by
 *   GraphQL Inspector (BREAKING / DANGEROUS / NON_BREAKING). A breaking change fails the check
 *   unless a reviewed entry in the accepted list names it; an entry naming no breaking change
 *   is stale and fails it too, so the list cannot silently rot.
 * - Every type, field, argument, enum value and input field of the current schema carries a
 *   description, and every `@deprecated` gives a `reason`.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import {
  assertValidSchema,
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
  Kind,
  Source,
  type ConstDirectiveNode,
  type GraphQLSchema,
} from 'graphql';
import { ChangeType, CriticalityLevel, diff, DiffRule, type Change, type TypeOfChangeType } from '@graphql-inspector/core';
import { z } from 'zod';

/** A reviewed, deliberate breaking change: matched against a change by `path` and `type` exactly. */
export interface AcceptedBreakingChange {
  readonly path: string;
  readonly type: string;
  readonly reason: string;
}

/** One change between the released and the current schema, with the acceptance that covers it (breaking ones only). */
export interface ReviewedChange {
  readonly level: CriticalityLevel;
  readonly type: TypeOfChangeType;
  /** Inspector's path (`Type.field`, `Type.field.argument`, `Enum.VALUE`); `schema` for the schema's root types. */
  readonly path: string;
  readonly message: string;
  /** Why Inspector rates it so, when it says. */
  readonly why: string | undefined;
  readonly accepted: AcceptedBreakingChange | undefined;
}

export interface SchemaContractReport {
  readonly changes: readonly ReviewedChange[];
  /** Accepted entries that name no breaking change. */
  readonly stale: readonly AcceptedBreakingChange[];
  /** Schema coordinates with no description, e.g. `Query.block(index:)`. */
  readonly undocumented: readonly string[];
  /** Schema coordinates deprecated without a `reason`. */
  readonly deprecatedWithoutReason: readonly string[];
}

export interface SchemaContractInput {
  /** The last released schema: SDL, or a `Source` naming its file for error messages. */
  readonly released: string | Source;
  /** The schema as it is now. */
  readonly current: string | Source;
  readonly accepted: readonly AcceptedBreakingChange[];
}

/** A schema file or accepted list that cannot be read as one: the check cannot run. */
export class SchemaContractError extends Error {
  override readonly name = 'SchemaContractError';
}

const CHANGE_TYPES = Object.values(ChangeType) as [TypeOfChangeType, ...TypeOfChangeType[]];
const ACCEPTED_LIST = z.array(
  z.strictObject({
    path: z.string().trim().min(1),
    type: z.enum(CHANGE_TYPES, { error: 'not a GraphQL Inspector change type (the check prints the type of each change)' }),
    reason: z.string().trim().min(1, 'say why this breaking change is acceptable'),
  }),
);

/** Inspector gives no path to changes of the schema definition itself (its root types). */
const SCHEMA_PATH = 'schema';

/** Parses and validates the accepted list (a JSON array of `{ path, type, reason }`). */
export function parseAcceptedChanges(json: string, name = 'accepted breaking changes'): AcceptedBreakingChange[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new SchemaContractError(`${name}: not JSON (${(error as Error).message})`);
  }
  const parsed = ACCEPTED_LIST.safeParse(value);
  if (!parsed.success) throw new SchemaContractError(`${name}: ${z.prettifyError(parsed.error)}`);
  const seen = new Set<string>();
  for (const entry of parsed.data) {
    const key = `${entry.type} ${entry.path}`;
    if (seen.has(key)) throw new SchemaContractError(`${name}: ${key} is listed twice`);
    seen.add(key);
  }
  return parsed.data;
}

/** Builds and validates a schema from SDL; invalid SDL is a `SchemaContractError` naming the source. */
export function loadSchema(sdl: string | Source): GraphQLSchema {
  const name = typeof sdl === 'string' ? 'schema' : sdl.name;
  try {
    const schema = buildSchema(sdl);
    assertValidSchema(schema);
    return schema;
  } catch (error) {
    throw new SchemaContractError(`${name}: ${(error as Error).message}`);
  }
}

/** A described element of a schema, named by its schema coordinate. */
interface SchemaElement {
  readonly coordinate: string;
  readonly description: string | null | undefined;
  readonly directives: readonly ConstDirectiveNode[] | undefined;
}

/** Every type (but built-in scalars and introspection), field, argument, enum value, input field and directive we define. */
function* schemaElements(schema: GraphQLSchema): Generator<SchemaElement> {
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    yield { coordinate: type.name, description: type.description, directives: type.astNode?.directives };
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        yield { coordinate, description: field.description, directives: field.astNode?.directives };
        for (const argument of field.args) {
          const { description, astNode } = argument;
          yield { coordinate: `${coordinate}(${argument.name}:)`, description, directives: astNode?.directives };
        }
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        const { description, astNode } = field;
        yield { coordinate: `${type.name}.${field.name}`, description, directives: astNode?.directives };
      }
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) {
        const { description, astNode } = value;
        yield { coordinate: `${type.name}.${value.name}`, description, directives: astNode?.directives };
      }
    }
  }
  for (const directive of schema.getDirectives()) {
    if (isSpecifiedDirective(directive)) continue;
    yield { coordinate: `@${directive.name}`, description: directive.description, directives: undefined };
    for (const argument of directive.args) {
      const { description, astNode } = argument;
      yield { coordinate: `@${directive.name}(${argument.name}:)`, description, directives: astNode?.directives };
    }
  }
}

/** Coordinates of every element without a description (or with a blank one). */
export function findUndocumented(schema: GraphQLSchema): string[] {
  return [...schemaElements(schema)].filter(({ description }) => !description?.trim()).map((e) => e.coordinate);
}

/**
 * Coordinates of every `@deprecated` without a `reason`. Read from the SDL's syntax tree: the
 * built schema fills in graphql-js's default reason ("No longer supported"), which says nothing.
 */
export function findDeprecatedWithoutReason(schema: GraphQLSchema): string[] {
  const unexplained = (directive: ConstDirectiveNode): boolean => {
    if (directive.name.value !== 'deprecated') return false;
    const reason = directive.arguments?.find((argument) => argument.name.value === 'reason')?.value;
    return reason?.kind !== Kind.STRING || reason.value.trim() === '';
  };
  return [...schemaElements(schema)].filter(({ directives }) => directives?.some(unexplained)).map((e) => e.coordinate);
}

/** Compares the current schema with the released one and checks the current one's descriptions. */
export async function checkSchemaContract(input: SchemaContractInput): Promise<SchemaContractReport> {
  const released = loadSchema(input.released);
  const current = loadSchema(input.current);
  // Removing a field, enum value or input field the released schema deprecated is the
  // deprecate-then-remove workflow: Inspector then rates it DANGEROUS, not BREAKING.
  // Inspector types its changes loosely (`Change<any>`); every one has a `ChangeType`.
  const found = (await diff(released, current, [DiffRule.suppressRemovalOfDeprecatedField])) as Array<Change<TypeOfChangeType>>;
  const changes = found.map((change): ReviewedChange => {
    const path = change.path ?? SCHEMA_PATH;
    const level = change.criticality.level;
    const accepted =
      level === CriticalityLevel.Breaking ? input.accepted.find((entry) => entry.type === change.type && entry.path === path) : undefined;
    return { level, type: change.type, path, message: change.message, why: change.criticality.reason, accepted };
  });
  const stale = input.accepted.filter((entry) => !changes.some((change) => change.accepted === entry));
  return {
    changes,
    stale,
    undocumented: findUndocumented(current),
    deprecatedWithoutReason: findDeprecatedWithoutReason(current),
  };
}

/** The breaking changes no accepted entry covers. */
export function unacceptedBreakingChanges(report: SchemaContractReport): ReviewedChange[] {
  return report.changes.filter((change) => change.level === CriticalityLevel.Breaking && !change.accepted);
}

/** Whether the check passes. */
export function contractHolds(report: SchemaContractReport): boolean {
  return (
    unacceptedBreakingChanges(report).length === 0 &&
    report.stale.length === 0 &&
    report.undocumented.length === 0 &&
    report.deprecatedWithoutReason.length === 0
  );
}

/** Inspector quotes whole descriptions in its messages: one line, and not all of it. */
function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export interface ReportNames {
  readonly current: string;
  readonly released: string;
  readonly accepted: string;
}

const LEVELS = [CriticalityLevel.Breaking, CriticalityLevel.Dangerous, CriticalityLevel.NonBreaking] as const;

/** The report as the CLI prints it: changes grouped by criticality, then every problem, then the verdict. */
export function formatReport(report: SchemaContractReport, names: ReportNames): string {
  const lines = [`${names.current} against ${names.released} (the last released schema)`, ''];
  for (const level of LEVELS) {
    const changes = report.changes.filter((change) => change.level === level);
    lines.push(`${level}: ${changes.length === 0 ? 'none' : changes.length}`);
    for (const change of changes) {
      lines.push(`  ${change.path} [${change.type}] ${oneLine(change.message)}`);
      if (level === CriticalityLevel.Breaking) {
        lines.push(change.accepted ? `    accepted: ${oneLine(change.accepted.reason)}` : '    NOT ACCEPTED');
      }
      if (level !== CriticalityLevel.NonBreaking && change.why) lines.push(`    why: ${oneLine(change.why)}`);
    }
  }
  const problems = (title: string, items: readonly string[]) => {
    if (items.length === 0) return;
    lines.push('', `${title}:`, ...items.map((item) => `  ${item}`));
  };
  problems(
    `Stale entries in ${names.accepted} (no breaking change matches them; remove them)`,
    report.stale.map((entry) => `${entry.path} [${entry.type}]`),
  );
  problems(`Missing descriptions in ${names.current}`, report.undocumented);
  problems(`@deprecated without a reason in ${names.current}`, report.deprecatedWithoutReason);

  const unaccepted = unacceptedBreakingChanges(report);
  lines.push('');
  if (contractHolds(report)) {
    const accepted = report.changes.filter((change) => change.accepted).length;
    lines.push(`Schema check passed${accepted > 0 ? ` (${accepted} breaking change(s) accepted)` : ''}.`);
  } else {
    const failures = [
      [unaccepted.length, 'breaking change(s) not accepted'],
      [report.stale.length, 'stale acceptance(s)'],
      [report.undocumented.length, 'missing description(s)'],
      [report.deprecatedWithoutReason.length, 'deprecation(s) without a reason'],
    ] as const;
    const summary = failures.filter(([count]) => count > 0).map(([count, what]) => `${count} ${what}`);
    lines.push(`Schema check failed: ${summary.join(', ')}.`);
    const [example] = unaccepted;
    if (example) {
      const entry = JSON.stringify({ path: example.path, type: example.type, reason: '…' });
      lines.push(`To break the contract deliberately, add an entry such as ${entry} to ${names.accepted}.`);
    }
  }
  return lines.join('\n');
}

/** The three files of the contract. */
export interface SchemaContractFiles {
  /** The schema as it is now (schema.graphql). */
  readonly current: string;
  /** The last released schema (schema/released.graphql). */
  readonly released: string;
  /** Reviewed breaking changes since that release (schema/accepted-breaking-changes.json). */
  readonly accepted: string;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new SchemaContractError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Reads the three files and checks the contract. */
export async function checkSchemaFiles(files: SchemaContractFiles): Promise<SchemaContractReport> {
  const [current, released, accepted] = await Promise.all([readText(files.current), readText(files.released), readText(files.accepted)]);
  return checkSchemaContract({
    current: new Source(current, files.current),
    released: new Source(released, files.released),
    accepted: parseAcceptedChanges(accepted, files.accepted),
  });
}

/**
 * The release step: the current schema becomes the released one, and the accepted list is
 * emptied, since the changes it accepted are now part of the release. Call it only when the
 * check passes.
 */
export async function releaseSchema(files: SchemaContractFiles): Promise<void> {
  await copyFile(files.current, files.released);
  await writeFile(files.accepted, '[]\n');
}
