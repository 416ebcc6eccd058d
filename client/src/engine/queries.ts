import type { Cursor } from '@syncline/schema';
import type { ReadTransaction } from '../store/store';
import type { AnyWhere } from '../types';
import type { EngineContext } from './context';
import { QUERIES } from './layout';

/** A registered query as the store keeps it: plain JSON. */
export interface StoredQuery {
  table: string;
  queryId: string;
  where: AnyWhere | null;
  cursor: Cursor | null;
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

export function sameWhere(a: AnyWhere | null, b: AnyWhere | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
