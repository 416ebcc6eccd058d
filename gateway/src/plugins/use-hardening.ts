import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { CSRF_HEADER } from '@syncline/schema';
import type { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin, type YogaServerOptions } from 'graphql-yoga';
import type { GatewayLimits } from '../graphql/limits';
import { useQueryLimits } from './use-query-limits';

export interface HardeningOptions {
  limits: GatewayLimits;
  /** Answer `__schema` and `__type`; off, they are refused and suggestions are hidden. */
  introspection: boolean;
}

/**
 * What stands between the API and hostile requests before anything runs: CSRF prevention
 * (GET and form-encoded requests need the `x-graphql-yoga-csrf` header), no multipart
 * requests, the query limits, and, with introspection off, no introspection and no
 * "Did you mean ...?" in any message.
 */
export function useHardening(options: HardeningOptions): Plugin {
  const hideSuggestions = !options.introspection;
  const plugins: Plugin[] = [
    useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }),
    useNoMultipart(),
    useQueryLimits(options.limits, { hideSuggestions }),
  ];
  if (!options.introspection) plugins.push(useDisableIntrospection(), useNoSuggestions());
  return {
    onPluginInit({ addPlugin }) {
      for (const plugin of plugins) addPlugin(plugin);
    },
  };
}

/**
 * Refuses multipart requests (the GraphQL multipart request spec, for file uploads) before
 * their body is read: nothing here takes a file, and Yoga would otherwise parse every part
 * (files included) into memory. HTTP 415 with BAD_USER_INPUT.
 */
function useNoMultipart(): Plugin {
  return {
    onRequestParse({ request }) {
      if (!/^multipart\//i.test(request.headers.get('content-type') ?? '')) return;
      throw createGraphQLError(
        'request: multipart requests (file uploads) are not accepted; send the operation as JSON (content-type: application/json)',
        { extensions: { code: 'BAD_USER_INPUT', http: { status: 415 } } },
      );
    },
  };
}

/**
 * Armor hides the suggestions of validation; variable values are checked later, and their
 * messages suggest input fields and enum values ("Did you mean the enum value ...?").
 */
function useNoSuggestions(): Plugin {
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result) || !('errors' in result)) return;
      for (const error of result.errors ?? []) {
        (error as GraphQLError).message = error.message.replace(/\s*Did you mean [^?]*\?/g, '');
      }
    },
  };
}

/**
 * Yoga's `cors` option for the origins that may call the gateway from a browser: none
 * (same-origin only), a list, or '*' for any. Cookies are never allowed cross-origin; the
 * gateway reads only the Authorization header.
 */
export function corsPolicy(
  origins: readonly string[] | '*',
): YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors'] {
  if (origins !== '*' && origins.length === 0) return false;
  // `origin: '*'` answers with the request's own origin and `Vary: Origin`.
  const allowed = {
    origin: '*',
    methods: ['GET', 'POST'],
    credentials: false,
    maxAge: 600,
    // A page may read how long to wait after a 429, and the id to quote in a bug report.
    exposedHeaders: ['Retry-After', 'X-Request-Id'],
  };
  if (origins === '*') return allowed;
  // Checked here rather than with yoga's list, which answers other origins with "null": a
  // sandboxed iframe's origin is "null", and would then be allowed.
  return (request: Request) => origins.includes(request.headers.get('origin') ?? '') && allowed;
}
