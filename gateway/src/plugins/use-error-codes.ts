import type { ErrorCode } from '@syncline/schema';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const known = new Set<string>([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CURSOR_EXPIRED',
  'LIMIT_EXCEEDED',
  'INTERNAL_SERVER_ERROR',
] satisfies ErrorCode[]);

/**
 * Gives every error an `extensions.code` from the documented set: errors from parsing,
 * validation and variable coercion (which name the field at fault) become BAD_USER_INPUT.
 */
export function useErrorCodes(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || !('errors' in result) || !result.errors?.length) return;
      setResult({ ...result, errors: result.errors.map(withCode) });
    },
  };
}

function withCode(error: GraphQLError | Error): GraphQLError {
  const graphQLError = error instanceof GraphQLError ? error : new GraphQLError(error.message);
  const code = graphQLError.extensions.code;
  const { originalError, ...kept } = graphQLError.extensions as { originalError?: unknown };
  if (typeof code === 'string' && known.has(code) && originalError === undefined)
    return graphQLError;
  // originalError would carry a parser's or driver's own words: never sent.
  const { http, ...extensions } = kept as { http?: unknown };
  return new GraphQLError(graphQLError.message, {
    nodes: graphQLError.nodes ?? null,
    source: graphQLError.source ?? null,
    positions: graphQLError.positions ?? null,
    path: graphQLError.path ?? null,
    extensions: {
      ...extensions,
      ...(http ? { http } : {}),
      code: typeof code === 'string' && known.has(code) ? code : 'BAD_USER_INPUT',
    },
  });
}
