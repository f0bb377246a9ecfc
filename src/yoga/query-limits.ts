import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { graphqlStatus } from '../shared/error-codes.js';

/**
 * Limits on the shape of an operation, sized to this schema: its deepest
 * useful query (`chain { edges { node { hash } } }`) has depth 4, and the
 * GraphiQL examples stay far below every limit. Depth and cost exempt
 * introspection, so GraphiQL and code generators keep working.
 */
export const QUERY_LIMITS = {
  maxDepth: 6,
  maxAliases: 10,
  maxTokens: 1000,
  maxDirectives: 10,
  maxCost: 1000,
} as const;

const TOO_COMPLEX = { code: 'QUERY_TOO_COMPLEX', http: { status: graphqlStatus('QUERY_TOO_COMPLEX') } };

/**
 * Armor reports through graphql-js, which yoga would answer with 200: make
 * rejections 400 with a code, and drop the "Syntax Error: " armor puts before
 * limits that have nothing to do with syntax.
 */
function rejectAsTooComplex(_context: ValidationContext | null, error: GraphQLError): void {
  Object.assign(error.extensions, TOO_COMPLEX);
  error.message = error.message.replace(/^Syntax Error: /, '');
}

export function useQueryLimits({ hideSuggestions }: { hideSuggestions: boolean }): Plugin {
  const onReject = [rejectAsTooComplex];
  return EnvelopArmorPlugin({
    maxDepth: { n: QUERY_LIMITS.maxDepth, ignoreIntrospection: true, onReject },
    maxAliases: { n: QUERY_LIMITS.maxAliases, onReject },
    maxTokens: { n: QUERY_LIMITS.maxTokens, onReject },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives, onReject },
    costLimit: { maxCost: QUERY_LIMITS.maxCost, ignoreIntrospection: true, onReject },
    blockFieldSuggestion: { enabled: hideSuggestions },
  });
}

/** Response keys of `mineBlock` fields an operation selects, through fragments too. */
function mineResponseKeys(selectionSet: SelectionSetNode, context: ValidationContext, keys: Set<string>, seen: Set<string>): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === 'mineBlock') keys.add(selection.alias?.value ?? selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      mineResponseKeys(selection.selectionSet, context, keys, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment) mineResponseKeys(fragment.selectionSet, context, keys, seen);
    }
  }
}

/**
 * At most one `mineBlock` per operation. Fields with the same response key
 * merge into one execution, so distinct keys (aliases) are what count.
 */
const singleMinePerOperation: ValidationRule = (context): ASTVisitor => ({
  OperationDefinition(operation) {
    const keys = new Set<string>();
    mineResponseKeys(operation.selectionSet, context, keys, new Set());
    if (keys.size > 1) {
      context.reportError(
        new GraphQLError(`An operation may mine one block; this one asks for ${keys.size} (${[...keys].join(', ')}).`, {
          nodes: operation,
          extensions: TOO_COMPLEX,
        }),
      );
    }
  },
});

export const useSingleMinePerOperation: Plugin = {
  onValidate({ addValidationRule }) {
    addValidationRule(singleMinePerOperation);
  },
};
