import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { graphqlStatus } from '../shared/error-codes.js';

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
          extensions: { code: 'CSRF_PREVENTED', http: { status: graphqlStatus('CSRF_PREVENTED') } },
        });
      }
    },
  };
}

/** Whether yoga can answer a subscription to this Accept header: as Server-Sent Events (yoga's own matching rules). */
function acceptsEventStream(accept: string | null): boolean {
  return (accept ?? '*/*')
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .some((range) => {
      const [mediaType = '', ...parameters] = range.split(';');
      const charset = parameters.find((parameter) => parameter.startsWith('charset='));
      const [type, subtype] = mediaType.split('/');
      return (
        (charset === undefined || charset === 'charset=utf-8') &&
        (type === '*' || type === 'text') &&
        (subtype === '*' || subtype === 'event-stream')
      );
    });
}

/**
 * A subscription over HTTP is answered as Server-Sent Events. yoga checks the
 * Accept header only once the subscription has started, and answers 406
 * without ever ending it: its subscriber (and a subscription slot) would be
 * left behind for good. Refuse before it starts, saying what to send.
 */
export const useSubscriptionAcceptCheck: Plugin = {
  onSubscribe({ args, setResultAndStopExecution }) {
    const { request } = args.contextValue as { request?: Request };
    // Over WebSocket there is no fetch request, and nothing to negotiate.
    if (request === undefined || acceptsEventStream(request.headers.get('accept'))) return;
    setResultAndStopExecution({
      errors: [
        new GraphQLError(
          'Subscriptions are answered as Server-Sent Events: send `Accept: text/event-stream` (or use the WebSocket endpoint).',
          {
            extensions: { code: 'NOT_ACCEPTABLE', http: { status: graphqlStatus('NOT_ACCEPTABLE') } },
          },
        ),
      ],
    });
  },
};

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

/**
 * yoga refuses an `operationName` the document does not hold with
 * OPERATION_RESOLUTION_FAILURE and a 400 for every client. The
 * GraphQL-over-HTTP spec counts it among the request errors answered 200 to
 * a client that accepts only `application/json`, as yoga already answers a
 * document that does not parse or validate: mark it so, and it follows the
 * same rule (400 to `application/graphql-response+json`).
 */
export const useOperationResolutionStatus: Plugin = {
  onResultProcess(payload) {
    const { result } = payload;
    if (Array.isArray(result) || !('errors' in result) || result.errors === undefined) return;
    const { errors } = result;
    if (!errors.some((error) => error.extensions['code'] === 'OPERATION_RESOLUTION_FAILURE')) return;
    payload.setResult({
      ...result,
      errors: errors.map((error) =>
        error.extensions['code'] === 'OPERATION_RESOLUTION_FAILURE'
          ? new GraphQLError(error.message, {
              nodes: error.nodes ?? null,
              extensions: { ...error.extensions, http: { status: graphqlStatus('OPERATION_RESOLUTION_FAILURE'), spec: true } },
            })
          : error,
      ),
    });
  },
};
