import {
  CSRF_HEADER,
  type Cursor,
  describeSyncTable,
  type OnItems,
  type Operation,
  type Outcome,
  pullDocument,
  pushDocument,
  readAnswer,
  tableNames,
} from '@syncline/schema';
import type { PgTable } from 'drizzle-orm/pg-core';

/**
 * GraphQL over HTTP as `@syncline/client` speaks it: the very pull query and push mutation
 * it sends (`@syncline/schema`'s documents), pulls as GET (urql sends queries that fit in a
 * URL that way) with urql's `Accept`, pushes as POST, with the CSRF header. Plain `fetch`, so
 * that the server benchmarks time the gateway and the wire rather than urql.
 */

export interface PullPage {
  rows: Record<string, unknown>[];
  cursor: Cursor;
  hasMore: boolean;
}

/** A page as the initial pull counts it: its rows counted as they arrive, none kept. */
export interface CountedPage {
  rows: number;
  cursor: Cursor;
  hasMore: boolean;
}

/**
 * A pull's answer read as the initial pull reads it: each page's rows counted as their
 * parts arrive and then dropped, as a reader that stores each part (or page) and lets it
 * go would (the baseline, too, keeps one page at a time); the cursors kept.
 */
export async function countedPages(response: Response, pullField: string): Promise<CountedPage[]> {
  const counts: number[] = [];
  const count: OnItems = (path, items) => {
    const page = Number(path[1]);
    counts[page] = (counts[page] ?? 0) + items.length;
  };
  const pages = (await dataOf<Record<string, PullPage[]>>(response, count))[pullField] ?? [];
  // Rows that came in the first part, if any, are in the page itself.
  return pages.map(({ rows, cursor, hasMore }, index) => ({
    rows: rows.length + (counts[index] ?? 0),
    cursor,
    hasMore,
  }));
}

/** Pull pages the client asks for in one request by default (`pagesPerRequest`). */
export const PAGES_PER_REQUEST = 10;

/** A client of one table: its pull and push, as the sync client sends them. */
export function createTableClient(url: string, table: PgTable) {
  const description = describeSyncTable(table);
  const pullField = tableNames(description.name).pullPages;
  const pull = pullDocument(description);
  const push = pushDocument([description]);
  const send = (after: Cursor | null, limit: number, pages: number, where?: object) => {
    const variables = JSON.stringify({ after, limit, pages, where: where ?? null });
    const search = new URLSearchParams({ query: pull, operationName: 'SynclinePull', variables });
    return fetch(`${url}?${search}`, { headers: { accept: URQL_ACCEPT, [CSRF_HEADER]: 'bench' } });
  };
  const pullPages = async (after: Cursor | null, limit: number, pages: number, where?: object) => {
    const data = await dataOf<Record<string, PullPage[]>>(await send(after, limit, pages, where));
    return data[pullField] as PullPage[];
  };

  return {
    /** The pages after `after`, as many to a request as the client asks for, counted. */
    async pullCounts(after: Cursor | null, limit: number): Promise<CountedPage[]> {
      return countedPages(await send(after, limit, PAGES_PER_REQUEST), pullField);
    },
    /** One page. */
    async pull(after: Cursor | null, limit: number, where?: object): Promise<PullPage> {
      const [page] = await pullPages(after, limit, 1, where);
      if (!page) throw new Error('the gateway answered a pull without a page');
      return page;
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
  const query = `query Rows($after: Cursor, $limit: Int, $pages: Int) {
    pages: pullBenchRowPages(after: $after, limit: $limit, pages: $pages) {
      more: hasMore
      items: rows { key: id title body category score quantity changedAt: updatedAt version }
      next: cursor
    }
  }`;
  return {
    async pullCounts(after: Cursor | null, limit: number): Promise<CountedPage[]> {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables: { after, limit, pages: PAGES_PER_REQUEST } }),
      });
      const { pages } = await dataOf<{
        pages: { more: boolean; items: Record<string, unknown>[]; next: Cursor }[];
      }>(response);
      return pages.map((page) => ({
        rows: page.items.length,
        cursor: page.next,
        hasMore: page.more,
      }));
    },
  };
}

/**
 * What urql asks a query's answer to be: the client's pull comes back as `multipart/mixed`,
 * its rows in parts, which `readAnswer` reads as urql does, part by part as they arrive.
 */
export const URQL_ACCEPT =
  'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';

async function dataOf<T>(response: Response, onItems?: OnItems): Promise<T> {
  const result = (await readAnswer(response, onItems)) as {
    data?: T;
    errors?: { message: string }[];
  };
  if (result.errors?.length || !result.data) {
    throw new Error(`gateway answered ${response.status}: ${JSON.stringify(result.errors)}`);
  }
  return result.data;
}

/**
 * Pulls a table from the start until `hasMore` is false, several pages to a request as the
 * client does; returns the rows received.
 */
export async function pullAll(
  client: Pick<TableClient, 'pullCounts'>,
  pageSize: number,
  signal?: AbortSignal,
): Promise<number> {
  let after: Cursor | null = null;
  let rows = 0;
  for (;;) {
    signal?.throwIfAborted();
    const pages = await client.pullCounts(after, pageSize);
    for (const page of pages) rows += page.rows;
    const last = pages.at(-1);
    if (!last?.hasMore) return rows;
    after = last.cursor;
  }
}
