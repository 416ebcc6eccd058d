import type { Cursor, PullPage, TableDescription } from '@syncline/schema';
import type { WriteTransaction } from '../store/store';
import type { TransportResult } from '../transport/transport';
import type { AnyWhere, StoredRow } from '../types';
import type { EngineContext } from './context';
import { MEMBERS, OUTBOX, QUERIES, rowsOf } from './layout';
import { cover, forget, tableQueries, uncover, uncoverUnseen } from './membership';
import { entriesOfTable, type QueuedEntry } from './outbox';
import type { PushResult } from './push-result';
import { readQuery, type StoredQuery, sameWhere } from './queries';

export type PullStatus = 'complete' | 'network-error' | 'auth-error' | 'server-error';

export interface PullResult {
  status: PullStatus;
  /** Rows (and tombstones) received in this pull. */
  pulled: number;
  /** The push that ran first because the table had pending changes. */
  push?: PushResult;
  message?: string;
  /** The gateway asked to slow down (HTTP 429): wait at least this many ms (see PushResult). */
  retryAfterMs?: number;
}

export interface PullProgress {
  table: string;
  queryId: string | null;
  /** Rows received so far in this pull. */
  pulled: number;
}

export interface PullQuery {
  table: TableDescription;
  queryId: string | null;
  where: AnyWhere | null;
  onProgress?: (progress: PullProgress) => void;
}

/**
 * Pages asked for in one request: the gateway answers up to as many as it allows (10 by
 * default), so that a large first sync takes a tenth of the requests.
 */
export const PAGES_PER_REQUEST = 10;

/**
 * Pulls one query: pages until `hasMore` is false, several to a request, applying each page
 * and storing its cursor in one transaction. Rows with a pending change are left alone.
 * Rows the page says moved out of the query leave the device when no other query covers
 * them (membership.ts). A pull from the start that finds rows here the server did not send
 * treats them as moved out too; on `CURSOR_EXPIRED` it starts over to do just that.
 */
export async function pullQuery(context: EngineContext, query: PullQuery): Promise<PullResult> {
  const { table, queryId } = query;
  const where = query.where ?? null;
  const stored = queryId === null ? undefined : await readQuery(context, table.name, queryId);
  let after = stored && sameWhere(stored.where, where) ? stored.cursor : null;
  // Rows seen by a pull from the start, when rows are here already: the others left.
  let seen = after === null && (await hasRows(context, table)) ? new Set<string>() : undefined;
  let pulled = 0;
  let next: Promise<Fetched> | undefined = fetchPages(context, query, after);
  while (next !== undefined) {
    const fetched: Fetched = await next;
    if (!fetched.ok && fetched.failure === 'cursor-expired' && after !== null) {
      after = null;
      seen = new Set();
      next = fetchPages(context, query, after);
      continue;
    }
    if (!fetched.ok) {
      const status = fetched.failure === 'cursor-expired' ? 'server-error' : fetched.failure;
      const { message, retryAfterMs } = fetched;
      return { status, pulled, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    }
    const last = fetched.value.at(-1);
    // The next pages are on their way while these are stored.
    next = last?.hasMore ? fetchPages(context, query, last.cursor) : undefined;
    try {
      for (const page of fetched.value) {
        for (const row of page.rows) seen?.add(row.id);
        await storePage(context, query, page, seen);
        pulled += page.rows.length;
        // A pull leaves the pending count as it was: no need to count the outbox again.
        await context.changed([table.name], 0);
        query.onProgress?.({ table: table.name, queryId, pulled });
        after = page.cursor;
      }
    } catch (error) {
      void next?.catch(() => {});
      throw error;
    }
  }
  return { status: 'complete', pulled };
}

type Fetched = TransportResult<PullPage<StoredRow>[]>;

function fetchPages(
  context: EngineContext,
  query: PullQuery,
  after: Cursor | null,
): Promise<Fetched> {
  const where = query.where ?? null;
  return context.transport.pull({
    table: query.table.name,
    after,
    limit: context.pageSize,
    pages: PAGES_PER_REQUEST,
    ...(where ? { where } : {}),
  });
}

/**
 * A page and the query's cursor in one transaction, with relaxed durability: a crash may
 * lose the last pages, cursor and rows together, and the next pull asks for them again.
 */
async function storePage(
  context: EngineContext,
  query: PullQuery,
  page: PullPage<StoredRow>,
  seen: Set<string> | undefined,
) {
  const { table, queryId } = query;
  const where = query.where ?? null;
  const { rows, cursor, hasMore, movedOut } = page;
  const collections = [rowsOf(table.name), OUTBOX, QUERIES, MEMBERS];
  await context.store.write(
    collections,
    async (tx) => {
      const queries = await tableQueries(tx, table);
      const pending = await pendingRows(tx, table.name);
      // A query without a filter reports rows that moved out only on an owned table: they
      // are someone else's now, and no query of this user covers them.
      await uncover(tx, queries, where ? queryId : null, movedOut, new Set(pending.keys()));
      await applyRows(tx, table.name, rows, pending);
      if (where && queryId !== null) {
        const live = rows.filter((row) => !row.deleted && !pending.has(row.id));
        await cover(
          tx,
          table.name,
          queryId,
          live.map((row) => row.id),
        );
      }
      if (seen && !hasMore) {
        await uncoverUnseen(tx, queries, { queryId, where }, seen, new Set(pending.keys()));
      }
      if (queryId !== null) {
        const record: StoredQuery = { table: table.name, queryId, where, cursor };
        await tx.put(QUERIES, record);
      }
    },
    { durability: 'relaxed' },
  );
}

function hasRows(context: EngineContext, table: TableDescription): Promise<boolean> {
  const collection = rowsOf(table.name);
  return context.store.read([collection], async (tx) => (await tx.count(collection)) > 0);
}

/** The table's rows with pending changes, each with its last entry. */
async function pendingRows(tx: WriteTransaction, table: string) {
  const pending = new Map<string, QueuedEntry>();
  for (const entry of await entriesOfTable(tx, table)) pending.set(entry.id, entry);
  return pending;
}

async function applyRows(
  tx: WriteTransaction,
  table: string,
  rows: readonly StoredRow[],
  pending: Map<string, QueuedEntry>,
) {
  // The writes are issued together, the rows in one call: a request awaited per row is
  // what made a large initial sync slow (docs/benchmarks.md).
  const writes: Promise<unknown>[] = [];
  const live: StoredRow[] = [];
  for (const row of rows) {
    const last = pending.get(row.id);
    if (last) {
      // Never overwrite a pending change; remember the server's copy for a later cancel.
      const kept = { ...last, server: row };
      pending.set(row.id, kept);
      writes.push(tx.put(OUTBOX, kept));
    } else if (row.deleted) {
      writes.push(tx.delete(rowsOf(table), row.id), forget(tx, table, row.id));
    } else {
      live.push(row);
    }
  }
  writes.push(tx.putAll(rowsOf(table), live));
  await Promise.all(writes);
}
