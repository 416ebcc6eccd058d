import {
  CSRF_HEADER,
  type Cursor,
  describeSyncTable,
  type Operation,
  type Outcome,
  pullDocument,
  pushDocument,
  tableNames,
} from '@syncline/schema';
import type { PgTable } from 'drizzle-orm/pg-core';

/**
 * GraphQL over HTTP as `@syncline/client` speaks it: the very pull query and push mutation
 * it sends (`@syncline/schema`'s documents), pulls as GET (urql sends queries that fit in a
 * URL that way), pushes as POST, with the CSRF header. Plain `fetch`, so that the
 * server benchmarks time the gateway and the wire rather than urql.
 */

export interface PullPage {
  rows: Record<string, unknown>[];
  cursor: Cursor;
  hasMore: boolean;
}

/** A client of one table: its pull and push, as the sync client sends them. */
export function createTableClient(url: string, table: PgTable) {
  const description = describeSyncTable(table);
  const pullField = tableNames(description.name).pull;
  const pull = pullDocument(description);
  const push = pushDocument([description]);

  return {
    async pull(after: Cursor | null, limit: number, where?: object): Promise<PullPage> {
      const variables = JSON.stringify({ after, limit, where: where ?? null });
      const search = new URLSearchParams({ query: pull, operationName: 'SynclinePull', variables });
      const response = await fetch(`${url}?${search}`, {
        headers: { accept: 'application/graphql-response+json', [CSRF_HEADER]: 'bench' },
      });
      const data = await dataOf<Record<string, PullPage>>(response);
      return data[pullField] as PullPage;
    },
    async push(operations: readonly Operation[]): Promise<Outcome[]> {
      const body = JSON.stringify({
        query: push,
        operationName: 'SynclinePush',
        variables: { operations: operations.map(({ table, ...op }) => ({ [table]: op })) },
      });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CSRF_HEADER]: 'bench' },
        body,
      });
      return (await dataOf<{ push: Outcome[] }>(response)).push;
    },
  };
}

export type TableClient = ReturnType<typeof createTableClient>;

/**
 * A plain GraphQL client of the bench tables, not Syncline's: it posts JSON, with a
 * selection of its own (some fields, in its own order, under aliases), as any app or tool
 * would. A fast path that only the client's own document took would not serve it.
 */
export function createGenericClient(url: string) {
  const query = `query Rows($after: Cursor, $limit: Int) {
    page: pullBenchRows(after: $after, limit: $limit) {
      more: hasMore
      items: rows { key: id title body category score quantity changedAt: updatedAt version }
      next: cursor
    }
  }`;
  return {
    async pull(after: Cursor | null, limit: number): Promise<PullPage> {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables: { after, limit } }),
      });
      const { page } = await dataOf<{
        page: { more: boolean; items: Record<string, unknown>[]; next: Cursor };
      }>(response);
      return { rows: page.items, cursor: page.next, hasMore: page.more };
    },
  };
}

async function dataOf<T>(response: Response): Promise<T> {
  const result = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (result.errors?.length || !result.data) {
    throw new Error(`gateway answered ${response.status}: ${JSON.stringify(result.errors)}`);
  }
  return result.data;
}

/** Pulls a table from the start until `hasMore` is false; returns the rows received. */
export async function pullAll(
  client: Pick<TableClient, 'pull'>,
  pageSize: number,
  signal?: AbortSignal,
): Promise<number> {
  let after: Cursor | null = null;
  let rows = 0;
  for (;;) {
    signal?.throwIfAborted();
    const page = await client.pull(after, pageSize);
    rows += page.rows.length;
    after = page.cursor;
    if (!page.hasMore) return rows;
  }
}
