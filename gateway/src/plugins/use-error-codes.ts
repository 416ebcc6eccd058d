import type { ErrorCode } from '@syncline/schema';
import type { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

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
      setResult({
        ...result,
        errors: result.errors.map((error) => withCode(error as GraphQLError)),
      });
    },
  };
}

function withCode(error: GraphQLError): GraphQLError {
  const { originalError, ...extensions } = (error.extensions ?? {}) as Record<string, unknown>;
  const code = extensions.code;
  const isKnown = typeof code === 'string' && known.has(code);
  if (isKnown && originalError === undefined) return error;
  // originalError would carry a parser's or driver's own words: it is never sent.
  return createGraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    extensions: { ...extensions, code: isKnown ? code : 'BAD_USER_INPUT' },
  });
}
