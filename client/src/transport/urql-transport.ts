import {
  CSRF_HEADER,
  type Operation,
  type Outcome,
  PROBE_DOCUMENT,
  type PullPage,
  pullDocument,
  pushDocument,
  type TableDescription,
  tableNames,
} from '@syncline/schema';
import { Client, type CombinedError, fetchExchange } from '@urql/core';
import type { StoredRow } from '../types';
import { openChangeStream, retryAfterMs } from './change-stream';
import type { PullRequest, Transport, TransportResult } from './transport';

/**
 * A bearer token, or a function that returns the current one. The function is called
 * before every request; after the gateway answers UNAUTHENTICATED it is called once more
 * with `refresh: true` and the request is retried with the new token.
 */
export type TokenSource =
  | string
  | ((options: {
      refresh: boolean;
    }) => string | null | undefined | Promise<string | null | undefined>);

export interface UrqlTransportOptions {
  /** The gateway's GraphQL endpoint, e.g. `https://sync.example.com/graphql`. */
  url: string;
  tables: readonly TableDescription[];
  token?: TokenSource;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

/** The gateway's pull and push over urql (`@urql/core`), with no cache: the store is the cache. */
export function createUrqlTransport(options: UrqlTransportOptions): Transport {
  const baseFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const client = new Client({
    url: options.url,
    exchanges: [fetchExchange],
    requestPolicy: 'network-only',
    // urql aborts a request when its operation ends: for a pull streamed in parts, right
    // after the last one, while the end of the body may still be on its way, which rejects
    // a read nobody awaits. The transport waits for every answer: nothing is left to abort.
    fetch: (input, init) => baseFetch(input, { ...init, signal: null }),
  });

  const source = options.token;
  /** The headers of every request: the CSRF header and the current (or a refreshed) token. */
  async function headers(refresh: boolean): Promise<Record<string, string>> {
    const token = typeof source === 'function' ? await source({ refresh }) : source;
    return { ...csrfHeaders, ...(token ? { authorization: `Bearer ${token}` } : {}) };
  }
  const refreshable = typeof source === 'function';

  /** Runs a request with the current token; on UNAUTHENTICATED, once more with a refreshed one. */
  async function authorized<T>(
    attempt: (context: { fetchOptions: RequestInit }) => Promise<TransportResult<T>>,
  ): Promise<TransportResult<T>> {
    for (const refresh of [false, true]) {
      let fetchOptions: RequestInit;
      try {
        fetchOptions = { headers: await headers(refresh) };
      } catch (error) {
        return { ok: false, failure: 'auth-error', message: `no token: ${String(error)}` };
      }
      const result = await attempt({ fetchOptions });
      const again = !result.ok && result.failure === 'auth-error' && refreshable;
      if (!again || refresh) return result;
    }
    throw new Error('unreachable');
  }
  const pulls = new Map(options.tables.map((table) => [table.name, pullDocument(table)]));
  const push = pushDocument(options.tables);

  return {
    async probe(): Promise<boolean> {
      // The token goes along so that a browser does not log a 401 for a mere probe.
      const fetchOptions = { headers: await headers(false).catch(() => csrfHeaders) };
      const result = await client.query(PROBE_DOCUMENT, {}, { fetchOptions }).toPromise();
      // Any HTTP answer, even an error, means the gateway is reachable.
      return !result.error?.networkError || result.error.response !== undefined;
    },

    async pull(request: PullRequest): Promise<TransportResult<PullPage<StoredRow>[]>> {
      // The rest are the document's variables: `after`, `limit`, `pages`, `where`.
      const { table: name, ...variables } = request;
      const document = pulls.get(name);
      if (!document) return unknownTable(name);
      return authorized(async (context) => {
        const result = await client.query(document, variables, context).toPromise();
        const data = result.data as Record<string, unknown> | undefined;
        const pages = data?.[tableNames(name).pullPages] as PullPage<StoredRow>[] | undefined;
        // Rows as answered: the document selects no `__typename` (only push's rows have one).
        return result.error || !pages?.length ? failure(result.error) : { ok: true, value: pages };
      });
    },

    changes(listener, streamOptions) {
      const connection = { url: options.url, fetch: baseFetch, headers, refreshable };
      return openChangeStream(connection, listener, streamOptions);
    },

    async push(operations: readonly Operation[]): Promise<TransportResult<Outcome<StoredRow>[]>> {
      const variables = {
        operations: operations.map(({ table, ...operation }) => ({ [table]: operation })),
      };
      return authorized(async (context) => {
        const result = await client.mutation(push, variables, context).toPromise();
        const outcomes = (result.data as { push?: Outcome<StoredRow>[] } | undefined)?.push;
        if (result.error || !outcomes) return failure(result.error);
        const value = outcomes.map(
          (outcome) =>
            ({ ...outcome, row: outcome.row && plainRow(outcome.row) }) as typeof outcome,
        );
        return { ok: true, value };
      });
    },
  };
}

/** urql sends queries as GET when they fit in a URL; the gateway wants this header on those. */
const csrfHeaders = { [CSRF_HEADER]: 'syncline' };

function plainRow(row: StoredRow): StoredRow {
  const { __typename: _typename, ...rest } = row;
  return rest as StoredRow;
}

function unknownTable(table: string): { ok: false; failure: 'server-error'; message: string } {
  return { ok: false, failure: 'server-error', message: `transport: no table ${table}` };
}

/** Sorts urql's error into the engine's failures. */
export function failure(error: CombinedError | undefined): {
  ok: false;
  failure: 'network-error' | 'auth-error' | 'cursor-expired' | 'server-error';
  message: string;
  code?: string;
  retryAfterMs?: number;
} {
  if (!error) return { ok: false, failure: 'server-error', message: 'the server sent no data' };
  const graphQLError = error.graphQLErrors[0];
  const code = graphQLError?.extensions?.code;
  const response = error.response as Response | undefined;
  // A body that broke off after its headers (a 2xx) is the connection's failure.
  const status = error.networkError && response?.ok ? undefined : response?.status;
  if (status === 429) {
    // Rate limited: a server error the queue survives, with how long to wait.
    const wait = retryAfterMs(response as Response);
    return {
      ok: false,
      failure: 'server-error',
      message: graphQLError?.message ?? 'HTTP 429: too many requests',
      code: typeof code === 'string' ? code : 'LIMIT_EXCEEDED',
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    };
  }
  if (code === 'UNAUTHENTICATED' || status === 401) {
    return { ok: false, failure: 'auth-error', message: error.message, code: 'UNAUTHENTICATED' };
  }
  if (code === 'CURSOR_EXPIRED') {
    return { ok: false, failure: 'cursor-expired', message: error.message, code };
  }
  if (graphQLError || status !== undefined) {
    const message = graphQLError?.message ?? `HTTP ${status}`;
    return {
      ok: false,
      failure: 'server-error',
      message,
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return {
    ok: false,
    failure: 'network-error',
    message: error.networkError?.message ?? error.message,
  };
}
