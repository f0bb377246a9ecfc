import { Kind, OperationTypeNode, getOperationAST, type DocumentNode } from 'graphql';

/**
 * Root fields whose non-null answer never changes: a stored block is never
 * rewritten (the database refuses UPDATE and DELETE). A null answer (no such
 * block yet) changes as soon as the block is mined, so it does not count.
 */
export const IMMUTABLE_ROOT_FIELDS: ReadonlySet<string> = new Set(['block', 'blockByHash']);

/**
 * The response keys of the block fields of `operationName`'s operation when
 * the operation reads nothing but blocks (and `__typename`): its result stays
 * right for as long as those keys are non-null. Null for any other operation,
 * e.g. one reading `tip`, `chain` or `validate`, which move with the chain.
 * Fragments and directives at the root are not looked into: such an operation
 * is simply not cached.
 */
export function immutableBlockKeys(document: DocumentNode, operationName: string | null | undefined): string[] | null {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== OperationTypeNode.QUERY) return null;
  const keys: string[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || (selection.directives?.length ?? 0) > 0) return null;
    const name = selection.name.value;
    if (IMMUTABLE_ROOT_FIELDS.has(name)) keys.push(selection.alias?.value ?? name);
    else if (name !== '__typename') return null;
  }
  return keys.length > 0 ? keys : null;
}
