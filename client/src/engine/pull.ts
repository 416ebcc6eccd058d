import type { Cursor, TableDescription } from '@syncline/schema';
import type { ReadTransaction, WriteTransaction } from '../store/store';
import type { AnyWhere, StoredRow } from '../types';
import type { EngineContext } from './context';
import { OUTBOX, QUERIES, rowsOf } from './layout';
import { entriesOfTable, type QueuedEntry } from './outbox';
import type { PushResult } from './push-result';
import { matchesWhere } from './query';

export type PullStatus = 'complete' | 'network-error' | 'auth-error' | 'server-error';

export interface PullResult {
  status: PullStatus;
  /** Rows (and tombstones) received in this pull. */
  pulled: number;
  /** The push that ran first because the table had pending changes. */
  push?: PushResult;
  message?: string;
}

export interface PullProgress {
  table: string;
  queryId: string | null;
  /** Rows received so far in this pull. */
  pulled: number;
}

/** A registered query as the store keeps it: plain JSON. */
export interface StoredQuery {
  table: string;
  queryId: string;
  where: AnyWhere | null;
  cursor: Cursor | null;
}

export interface PullQuery {
  table: TableDescription;
  queryId: string | null;
  where: AnyWhere | null;
  onProgress?: (progress: PullProgress) => void;
}

/**
 * Pulls one query: pages until `hasMore` is false, applying each page and storing the
 * query's cursor in one transaction. Rows with a pending change are left alone. On
 * `CURSOR_EXPIRED` it starts over and, once the full pull is done, removes the query's
 * local rows the server no longer has (their tombstones were pruned).
 */
export async function pullQuery(context: EngineContext, query: PullQuery): Promise<PullResult> {
  const { table, queryId } = query;
  const where = query.where ?? null;
  const stored = queryId === null ? undefined : await readQuery(context, table.name, queryId);
  let after = stored && sameWhere(stored.where, where) ? stored.cursor : null;
  let seen: Set<string> | undefined;
  let pulled = 0;
  for (;;) {
    const page = await context.transport.pull({
      table: table.name,
      after,
      limit: context.pageSize,
      ...(where ? { where } : {}),
    });
    if (!page.ok && page.failure === 'cursor-expired' && after !== null && !seen) {
      after = null;
      seen = new Set();
      continue;
    }
    if (!page.ok) {
      const status = page.failure === 'cursor-expired' ? 'server-error' : page.failure;
      return { status, pulled, message: page.message };
    }
    const { rows, cursor, hasMore } = page.value;
    for (const row of rows) seen?.add(row.id);
    await context.store.write([rowsOf(table.name), OUTBOX, QUERIES], async (tx) => {
      await applyRows(tx, table.name, rows);
      if (seen && !hasMore) await removeUnseen(tx, table.name, where, seen);
      if (queryId !== null) {
        const record: StoredQuery = { table: table.name, queryId, where, cursor };
        await tx.put(QUERIES, record);
      }
    });
    pulled += rows.length;
    await context.changed([table.name]);
    query.onProgress?.({ table: table.name, queryId, pulled });
    after = cursor;
    if (!hasMore) return { status: 'complete', pulled };
  }
}

async function applyRows(tx: WriteTransaction, table: string, rows: readonly StoredRow[]) {
  // One read of the table's pending entries per page, and the writes issued together: a
  // request awaited per row is what made a large initial sync slow (docs/benchmarks.md).
  const pending = new Map<string, QueuedEntry>();
  if (rows.length > 0) {
    for (const entry of await entriesOfTable(tx, table)) pending.set(entry.id, entry);
  }
  const writes: Promise<unknown>[] = [];
  for (const row of rows) {
    const last = pending.get(row.id);
    if (last) {
      // Never overwrite a pending change; remember the server's copy for a later cancel.
      const kept = { ...last, server: row };
      pending.set(row.id, kept);
      writes.push(tx.put(OUTBOX, kept));
    } else if (row.deleted) {
      writes.push(tx.delete(rowsOf(table), row.id));
    } else {
      writes.push(tx.put(rowsOf(table), row));
    }
  }
  await Promise.all(writes);
}

async function removeUnseen(
  tx: WriteTransaction,
  table: string,
  where: AnyWhere | null,
  seen: ReadonlySet<string>,
) {
  const pending = new Set((await entriesOfTable(tx, table)).map((entry) => entry.id));
  for (const row of await tx.getAll<StoredRow>(rowsOf(table))) {
    if (seen.has(row.id) || pending.has(row.id) || row.version === 0) continue;
    if (!where || matchesWhere(row, where)) await tx.delete(rowsOf(table), row.id);
  }
}

/**
 * Registers a query before its first pull, so that `sync()` pulls it even when that pull
 * fails (asked for offline). A known query keeps its cursor unless its `where` changed.
 */
export async function registerQuery(
  context: EngineContext,
  table: string,
  queryId: string,
  where: AnyWhere | null,
): Promise<void> {
  await context.store.write([QUERIES], async (tx) => {
    const stored = await tx.get<StoredQuery>(QUERIES, [table, queryId]);
    if (stored && sameWhere(stored.where, where)) return;
    const record: StoredQuery = { table, queryId, where, cursor: null };
    await tx.put(QUERIES, record);
  });
}

export function readQuery(
  context: EngineContext,
  table: string,
  queryId: string,
): Promise<StoredQuery | undefined> {
  return context.store.read([QUERIES], (tx: ReadTransaction) =>
    tx.get<StoredQuery>(QUERIES, [table, queryId]),
  );
}

/** Every registered query, for `sync()`. */
export function allQueries(context: EngineContext): Promise<StoredQuery[]> {
  return context.store.read([QUERIES], (tx) => tx.getAll<StoredQuery>(QUERIES));
}

function sameWhere(a: AnyWhere | null, b: AnyWhere | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
