import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** Browsers may send this header cross-site only after a CORS preflight, which a foreign page fails. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

/**
 * yoga's CSRF prevention (refuses form posts and header-less GETs, which a
 * browser sends cross-site without a preflight), with a code on its 403.
 */
export function useCsrfPrevention(): Plugin {
  const csrf = useCSRFPrevention({ requestHeaders: [CSRF_HEADER] });
  return {
    onRequestParse(payload) {
      try {
        return csrf.onRequestParse?.(payload);
      } catch {
        throw createGraphQLError(`Send a JSON body, or the header \`${CSRF_HEADER}\` with GET requests (CSRF protection).`, {
          extensions: { code: 'CSRF_PREVENTED', http: { status: 403 } },
        });
      }
    },
  };
}

/** Sends `/` to `target` (GraphiQL), when there is nothing else to show there. */
export function redirectRoot(target: string): Plugin {
  return {
    onRequest(payload) {
      if (payload.url.pathname === '/') {
        payload.endResponse(new payload.fetchAPI.Response(null, { status: 302, headers: { location: target } }));
      }
    },
  };
}

/**
 * graphql-js reports a variable that fails coercion (an Int beyond 32 bits, a
 * missing required variable) without a code. They are the client's input
 * errors: label them BAD_USER_INPUT, keeping the 400 status.
 */
export const useVariableErrorCodes: Plugin = {
  onExecute() {
    return {
      onExecuteDone({ result, setResult }) {
        if (!('errors' in result) || result.errors === undefined || 'data' in result) return;
        setResult({
          ...result,
          errors: result.errors.map((error: GraphQLError) =>
            error.extensions['code'] === undefined && error.path === undefined
              ? new GraphQLError(error.message, {
                  nodes: error.nodes ?? null,
                  extensions: { ...error.extensions, code: 'BAD_USER_INPUT', http: { status: 400 } },
                })
              : error,
          ),
        });
      },
    };
  },
};
