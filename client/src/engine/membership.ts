import type { TableDescription } from '@syncline/schema';
import type { ReadTransaction, WriteTransaction } from '../store/store';
import type { AnyWhere, StoredRow } from '../types';
import { MEMBERS, QUERIES, rowsOf } from './layout';
import type { StoredQuery } from './queries';
import { matchesWhere } from './query';

/**
 * Which of a row's registered queries cover it, kept for the rows of filtered queries:
 * `{ table, id, queries }`. A row no query covers any more leaves the device (unless a
 * change to it is pending). An unfiltered query covers every row of its table (on an owned
 * table, every row of the user), so it needs no record; rows no filtered query ever
 * reported have none either, and stay.
 */
export interface Membership {
  table: string;
  id: string;
  /** Filtered queries (their ids) whose last pull of the row found it covered. */
  queries: string[];
}

/** A table's registered queries, as membership needs them. */
export interface TableQueries {
  table: TableDescription;
  /** Whether an unfiltered query is registered: it covers every row (on an owned table, of the user). */
  unfiltered: boolean;
  filtered: StoredQuery[];
}

export async function tableQueries(
  tx: ReadTransaction,
  table: TableDescription,
): Promise<TableQueries> {
  const queries = await tx.getAll<StoredQuery>(QUERIES, {
    range: { lower: [table.name], upper: [table.name, []] },
  });
  return {
    table,
    unfiltered: queries.some((query) => query.where === null),
    filtered: queries.filter((query) => query.where !== null),
  };
}

/** Records that a filtered query's pull found these rows covered. */
export async function cover(tx: WriteTransaction, table: string, queryId: string, ids: string[]) {
  const known = await Promise.all(ids.map((id) => tx.get<Membership>(MEMBERS, [table, id])));
  await Promise.all(
    ids.map((id, index) => {
      const queries = known[index]?.queries ?? [];
      if (queries.includes(queryId)) return undefined;
      const record: Membership = { table, id, queries: [...queries, queryId] };
      return tx.put(MEMBERS, record);
    }),
  );
}

/**
 * A query no longer covers these rows (`queryId` null: the rows are not the user's any
 * more, so no query covers them). Rows nothing covers now are removed, but for those with
 * a pending change (`pending`): they stay until it is settled (see `settleMembership`).
 */
export async function uncover(
  tx: WriteTransaction,
  queries: TableQueries,
  queryId: string | null,
  ids: readonly string[],
  pending: ReadonlySet<string>,
): Promise<void> {
  const table = queries.table.name;
  for (const id of ids) {
    const known = await tx.get<Membership>(MEMBERS, [table, id]);
    const left = queryId === null ? [] : (known?.queries ?? []).filter((each) => each !== queryId);
    const covered = left.length > 0 || (queryId !== null && queries.unfiltered);
    if (covered || pending.has(id)) {
      await tx.put(MEMBERS, { table, id, queries: left } satisfies Membership);
    } else {
      await tx.delete(MEMBERS, [table, id]);
      await tx.delete(rowsOf(table), id);
    }
  }
}

/** The row left the device (deleted, purged): it is covered by nothing any more. */
export function forget(tx: WriteTransaction, table: string, id: string): Promise<void> {
  return tx.delete(MEMBERS, [table, id]);
}

/**
 * A row's pending change was settled, discarded or cancelled, and `row` is its server row
 * now. A row that had left every query while the change was pending leaves the device
 * now, unless the server row matches a filtered query again (it comes back with it).
 * Answers whether the row stays.
 */
export async function settleMembership(
  tx: WriteTransaction,
  table: TableDescription,
  row: StoredRow,
): Promise<boolean> {
  const known = await tx.get<Membership>(MEMBERS, [table.name, row.id]);
  if (!known || known.queries.length > 0) return true;
  const queries = await tableQueries(tx, table);
  if (queries.unfiltered) return true;
  const matching = queries.filtered
    .filter((query) => matchesWhere(row, query.where as AnyWhere))
    .map((query) => query.queryId);
  if (matching.length > 0) {
    await tx.put(MEMBERS, {
      table: table.name,
      id: row.id,
      queries: matching,
    } satisfies Membership);
    return true;
  }
  await tx.delete(MEMBERS, [table.name, row.id]);
  await tx.delete(rowsOf(table.name), row.id);
  return false;
}

/**
 * After a pull from the start (a first pull, a cursor reset by a purge, a changed filter or
 * an expired cursor): the local rows the server did not send (`seen`) are not covered by
 * this query. Those a filtered query had covered, or that match its filter here (their
 * local copy may be stale), leave it; for an unfiltered query the server no longer has
 * them at all. New rows (version 0) and rows with pending changes are left alone.
 */
export async function uncoverUnseen(
  tx: WriteTransaction,
  queries: TableQueries,
  query: { queryId: string | null; where: AnyWhere | null },
  seen: ReadonlySet<string>,
  pending: ReadonlySet<string>,
): Promise<void> {
  const table = queries.table.name;
  const gone: string[] = [];
  for (const row of await tx.getAll<StoredRow>(rowsOf(table))) {
    if (seen.has(row.id) || pending.has(row.id) || row.version === 0) continue;
    if (!query.where) {
      gone.push(row.id);
      continue;
    }
    const known = await tx.get<Membership>(MEMBERS, [table, row.id]);
    const wasCovered =
      query.queryId !== null && known ? known.queries.includes(query.queryId) : false;
    if (wasCovered || matchesWhere(row, query.where)) gone.push(row.id);
  }
  if (!query.where) {
    // The server no longer has them for this user: no query covers them.
    await uncover(tx, queries, null, gone, pending);
  } else if (query.queryId !== null) {
    await uncover(tx, queries, query.queryId, gone, pending);
  }
  // A one-off filtered pull (no query id) says nothing of what registered queries cover.
}
