import type { Plugin } from 'graphql-yoga';
import { createGraphQLError } from 'graphql-yoga';

/** Deepest nesting of objects and arrays in `variables`; far above any real request. */
export const MAX_VARIABLE_DEPTH = 64;

const refuse = (message: string, code = 'BAD_USER_INPUT') =>
  createGraphQLError(message, { extensions: { code, http: { status: 400 } } });

/**
 * Refuses, before anything runs, input that would otherwise surface as an unexpected
 * error deep inside a library or the database:
 * - request parameters that are not JSON (yoga's GET parser throws a bare SyntaxError);
 * - variables nested deeper than MAX_VARIABLE_DEPTH (graphql-js coerces them recursively
 *   and runs out of stack long before our own filter limits can answer);
 * - the NUL character and lone UTF-16 surrogates in any string: Postgres cannot store
 *   either in text or jsonb (JSON and GraphQL escapes can carry both).
 */
export function useInputGuards(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (error instanceof Error && error.name === 'GraphQLError') throw error;
          throw refuse('request: the parameters are not valid JSON');
        }
      });
    },
    onParams({ params }) {
      const query = params.query;
      if (typeof query === 'string' && (/\\u(0000|\{0+\})/i.test(query) || !storable(query))) {
        throw refuse(`query: ${UNSTORABLE}`);
      }
      const problem = inspect(params.variables);
      if (problem) throw refuse(problem.message, problem.code);
    },
  };
}

const UNSTORABLE =
  'strings must be valid Unicode without the NUL character (\\u0000) or lone surrogates';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether Postgres can store the string as text. */
function storable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** Walks a JSON value without recursion; says what is wrong, naming the path. */
function inspect(value: unknown): { message: string; code?: string } | undefined {
  const stack: [unknown, string, number][] = [[value, 'variables', 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [current, path, depth] = item;
    if (typeof current === 'string') {
      if (!storable(current)) return { message: `${path}: ${UNSTORABLE}` };
    } else if (current !== null && typeof current === 'object') {
      if (depth >= MAX_VARIABLE_DEPTH) {
        const message = `${path}: variables nest deeper than ${MAX_VARIABLE_DEPTH} levels`;
        return { message, code: 'LIMIT_EXCEEDED' };
      }
      for (const [key, child] of Object.entries(current)) {
        if (!storable(key)) return { message: `${path}: ${UNSTORABLE}` };
        stack.push([
          child,
          Array.isArray(current) ? `${path}[${key}]` : `${path}.${key}`,
          depth + 1,
        ]);
      }
    }
  }
  return undefined;
}
