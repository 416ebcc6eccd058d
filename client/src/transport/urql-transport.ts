import {
  type Operation,
  type Outcome,
  type PullPage,
  type TableDescription,
  tableNames,
} from '@syncline/schema';
import { Client, type CombinedError, fetchExchange } from '@urql/core';
import type { StoredRow } from '../types';
import { pullDocument, pushDocument } from './documents';
import type { PullRequest, Transport, TransportResult } from './transport';

/** A bearer token, or a function that returns the current one (called before every request). */
export type TokenSource =
  | string
  | (() => string | null | undefined | Promise<string | null | undefined>);

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
    fetch: async (input, init) => {
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      const headers = new Headers(init?.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      return baseFetch(input, { ...init, headers });
    },
  });
  const tables = new Map(options.tables.map((table) => [table.name, table]));
  const pulls = new Map(options.tables.map((table) => [table.name, pullDocument(table)]));
  const push = pushDocument(options.tables);

  return {
    async probe(): Promise<boolean> {
      const result = await client.query('query SynclineProbe { __typename }', {}).toPromise();
      // Any HTTP answer, even an error, means the gateway is reachable.
      return !result.error?.networkError || result.error.response !== undefined;
    },

    async pull(request: PullRequest): Promise<TransportResult<PullPage<StoredRow>>> {
      const document = pulls.get(request.table);
      const table = tables.get(request.table);
      if (!document || !table) return unknownTable(request.table);
      const variables = {
        after: request.after,
        limit: request.limit,
        where: request.where ?? null,
      };
      const result = await client.query(document, variables).toPromise();
      const field = (result.data as Record<string, unknown> | undefined)?.[
        tableNames(table.name).pull
      ];
      if (result.error || !field) return failure(result.error);
      const page = field as PullPage<StoredRow>;
      return { ok: true, value: { ...page, rows: page.rows.map(plainRow) } };
    },

    async push(operations: readonly Operation[]): Promise<TransportResult<Outcome<StoredRow>[]>> {
      const variables = {
        operations: operations.map(({ table, ...operation }) => ({ [table]: operation })),
      };
      const result = await client.mutation(push, variables).toPromise();
      const outcomes = (result.data as { push?: Outcome<StoredRow>[] } | undefined)?.push;
      if (result.error || !outcomes) return failure(result.error);
      const value = outcomes.map((outcome) => ({
        ...outcome,
        row: outcome.row && plainRow(outcome.row),
      }));
      return { ok: true, value };
    },
  };
}

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
} {
  if (!error) return { ok: false, failure: 'server-error', message: 'the server sent no data' };
  const graphQLError = error.graphQLErrors[0];
  const code = graphQLError?.extensions?.code;
  const status = (error.response as Response | undefined)?.status;
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
