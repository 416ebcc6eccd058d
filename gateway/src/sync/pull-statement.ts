import { and, eq, Param, type Query, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { renderSql } from '../db/rendered-query';
import { ownerMove, pruneHorizon } from '../db/system-tables';
import type { PullCursor } from './cursor';
import type { PullProjection } from './pull-projection';
import { snapshotText } from './snapshot';
import type { ServedTable } from './tables';

/** A pull of one window of a table's changes, as the resolver asks for it. */
export interface PullRequest<TRow> {
  served: ServedTable;
  /** How each row is selected and answered (pull-projection.ts). */
  projection: PullProjection<TRow>;
  userId: string;
  cursor: PullCursor;
  limit: number;
  /** The request's `where` input, none when it has none. */
  where: PullFilter | undefined;
}

/** A pull's `where` input: its condition, and the input itself, as JSON. */
export interface PullFilter {
  sql: SQL;
  /** What tells two filters apart: the same key, the same condition (see `pullQuery`). */
  key: string;
}

/**
 * What a pull's statement reads:
 *
 * - `rows`: the matching rows, the filter in the WHERE. A first pull (the device has
 *   nothing of the query yet, so nothing can have left it), and every pull of a table
 *   without owner or filter (no row ever leaves those queries).
 * - `changes`: a later pull of a query that can lose rows (a filtered query, or any query of
 *   an owned table): every change of the caller's rows in the window, with the filter as a
 *   column (false: the row moved out, only its id counts), merged, on an owned table, with
 *   the caller's rows that moved to another owner (see `movesIn`).
 */
export type PullShape = 'rows' | 'changes';

export function pullShape(request: PullRequest<unknown>): PullShape {
  const losesRows = request.where !== undefined || request.served.ownerColumn !== undefined;
  return losesRows && request.cursor.seen ? 'changes' : 'rows';
}

/** What a pull's statement answers, in its one row (see `pullStatement`). */
export interface PullAnswer {
  /** `pg_current_snapshot()` of the statement. */
  snapshot: string;
  /** The table's tombstone horizon, a transaction id; null when nothing was pruned. */
  horizon: string | null;
  /** The page's rows (`limit` items at most), their JSON texts joined by commas. */
  rows: string | null;
  rowCount: number | string;
  /** Rows of the page that have no JSON (strict projections only). */
  unwritten: number | string;
  movedOut: string[] | null;
  /** The position of the page's last item, `txid:seq`, when the window has more. */
  last: string | null;
  hasMore: boolean;
}

const ROW = sql.identifier('row');
const ID = sql.identifier('id');
const TXID = sql.identifier('txid');
const SEQ = sql.identifier('seq');
const COVERED = sql.identifier('covered');
/** The position of the page's last item, as the page's columns (see `pullStatement`). */
const PAGE_END = sql`(page."lastTxid", page."lastSeq")`;

/** What changes from one page to the next: the statement's placeholders (see `pullQuery`). */
const VALUE = {
  userId: sql.placeholder('userId'),
  limit: sql`${sql.placeholder('limit')}`,
  seenXmin: sql`${sql.placeholder('seenXmin')}::xid8`,
  seen: sql`${sql.placeholder('seen')}::pg_snapshot`,
  uptoXmax: sql`${sql.placeholder('uptoXmax')}::xid8`,
  upto: sql`${sql.placeholder('upto')}::pg_snapshot`,
  after: sql`(${sql.placeholder('afterTxid')}::xid8, ${sql.placeholder('afterSeq')}::bigint)`,
};

/** A pull's statement, rendered, and the values of its placeholders for this page. */
export interface PullQuery {
  query: Query;
  values: Record<string, unknown>;
}

/**
 * Filtered statements kept, the least recently used dropped first: each filter a device
 * pulls by is a form of its own; devices send a few of them again and again, but a gateway
 * may see any number.
 */
export const FILTERED_FORMS_KEPT = 256;

/** Statements rendered, by projection and form (see `formOf`). */
const plainForms = new WeakMap<PullProjection<unknown>, Map<string, Query>>();
/** Filtered statements, by projection and form, the one used last last. */
const filteredForms = new Map<string, Query>();

/**
 * The statement of a pull (`pullStatement`) as text, with this page's values. Its text
 * depends only on the request's form (projection, shape, which parts of the cursor are set,
 * filter), so it is rendered once per form: Drizzle's rendering of a statement this size
 * costs the gateway about 0.2 ms, every page. A filter's values stay in the statement's
 * parameters, so a filter is a form of its own, known by its input (`PullFilter.key`).
 */
export function pullQuery(request: PullRequest<unknown>, shape: PullShape): PullQuery {
  const form = formOf(request, shape);
  const query = request.where
    ? filteredQuery(request, shape, form)
    : plainQuery(request, shape, form);
  return { query, values: valuesOf(request) };
}

function plainQuery(request: PullRequest<unknown>, shape: PullShape, form: string): Query {
  let forms = plainForms.get(request.projection);
  if (!forms) {
    forms = new Map();
    plainForms.set(request.projection, forms);
  }
  let query = forms.get(form);
  if (!query) {
    query = renderSql(pullStatement(request, shape));
    forms.set(form, query);
  }
  return query;
}

/** A filtered statement, kept as the one used last; the least recently used is dropped. */
function filteredQuery(request: PullRequest<unknown>, shape: PullShape, form: string): Query {
  const key = `${request.projection.id}:${form}`;
  const query = filteredForms.get(key) ?? renderSql(pullStatement(request, shape));
  filteredForms.delete(key);
  const oldest = filteredForms.keys().next();
  if (filteredForms.size >= FILTERED_FORMS_KEPT && !oldest.done) filteredForms.delete(oldest.value);
  filteredForms.set(key, query);
  return query;
}

/** What the text of a pull's statement depends on, besides its projection. */
function formOf({ served, cursor, where }: PullRequest<unknown>, shape: PullShape): string {
  const set = (part: unknown) => (part ? '1' : '0');
  const form = `${served.info.name}:${shape}:${set(cursor.seen)}${set(cursor.upto)}${set(cursor.after)}`;
  return where ? `${form}:${where.key}` : form;
}

function valuesOf({ userId, limit, cursor }: PullRequest<unknown>): Record<string, unknown> {
  const { seen, upto, after } = cursor;
  return {
    userId,
    limit,
    ...(seen && { seenXmin: seen.xmin.toString(), seen: snapshotText(seen) }),
    ...(upto && { uptoXmax: upto.xmax.toString(), upto: snapshotText(upto) }),
    ...(after && { afterTxid: after.txid.toString(), afterSeq: after.seq.toString() }),
  };
}

/**
 * The one statement of a pull, answering one row (`PullAnswer`): the first `limit` items of
 * the window in change order, made into one text of rows and a list of moved-out ids, with
 * the statement's own snapshot and the table's tombstone horizon, all read in one snapshot.
 * The window: changes by transactions not visible in `cursor.seen`, visible in
 * `cursor.upto` (none: in the statement's snapshot, which is what the statement sees
 * anyway), after `cursor.after`.
 *
 * Postgres writes each row's JSON and joins a page of them (pull-projection.ts), so a page
 * reaches the gateway as one value rather than a thousand rows to decode. The aggregates
 * are plain ones over the items' ordered and limited query, so they take the items in
 * change order: the rows are joined in that order, and the last item's position is the
 * page's last. Whether the window has more is asked after: is there an item past that
 * position? (Reading `limit + 1` items and numbering them to leave the last one out cost
 * Postgres about a tenth more a page.)
 */
export function pullStatement(request: PullRequest<unknown>, shape: PullShape): SQL {
  const { served, cursor } = request;
  const items = itemsStatement(request, shape, cursor.after && VALUE.after, VALUE.limit);
  const next = itemsStatement(request, shape, PAGE_END, 1, false);
  const horizon = sql`select ${pruneHorizon.changeTxid}::text from ${pruneHorizon}
    where ${pruneHorizon.tableName} = ${served.info.name}`;
  const full = sql`page."count" = ${VALUE.limit}`;
  return sql`select pg_current_snapshot()::text as "snapshot", (${horizon}) as "horizon",
      page."rows", page."rowCount", page."unwritten", page."movedOut",
      case when ${full} then page."lastTxid"::text || ':' || page."lastSeq"::text end as "last",
      ${full} and coalesce((select true from (${next}) as next), false) as "hasMore"
    from (
      select string_agg(${ROW}, ',') filter (where ${COVERED}) as "rows",
        count(*) filter (where ${COVERED}) as "rowCount",
        count(*) filter (where ${COVERED} and ${ROW} is null) as "unwritten",
        array_agg(${ID}) filter (where not ${COVERED}) as "movedOut",
        count(*) as "count",
        (array_agg(${TXID}))[count(*)::int] as "lastTxid",
        (array_agg(${SEQ}))[count(*)::int] as "lastSeq"
      from (${items}) as items
    ) as page`;
}

/**
 * The first `limit` items of the window after `after` (an SQL position; null: from the
 * window's start), in change order, each row as its JSON (`withRows`; else null, for a
 * statement that only asks where items are: Postgres parses and plans a row's JSON even
 * where nothing reads it).
 */
function itemsStatement(
  request: PullRequest<unknown>,
  shape: PullShape,
  after: SQL | null,
  limit: SQL | number,
  withRows = true,
): SQL {
  const { served, cursor, projection } = request;
  const { id, changeTxid, changeSeq } = served.system;
  const owner = ownedByCaller(served);
  const window = inWindow(cursor, after, changeTxid, changeSeq);
  const row = withRows ? projection.rowJson : sql`null::text`;
  const itemsOf = (covered: SQL, where: SQL | undefined) => {
    const conditions = and(owner, window, where);
    return sql`select ${row} as ${ROW}, ${id} as ${ID}, ${changeTxid} as ${TXID},
        ${changeSeq} as ${SEQ}, ${covered} as ${COVERED}
      from ${served.table} ${conditions ? sql`where ${conditions}` : sql``}
      order by ${changeTxid}, ${changeSeq} limit ${limit}`;
  };
  const where = request.where?.sql;
  if (shape === 'rows') return itemsOf(sql`true`, where);
  const covered = where ? sql`coalesce((${where}), false)` : sql`true`;
  const items = itemsOf(covered, undefined);
  if (!owner) return items;
  return sql`select * from ((${items}) union all (${movesIn(request, after, limit)})) as merged
    order by ${TXID}, ${SEQ} limit ${limit}`;
}

/** The window's conditions on a change position, as index ranges where they can be. */
function inWindow(
  cursor: PullCursor,
  after: SQL | null,
  txid: SQL | PgColumn,
  seq: SQL | PgColumn,
): SQL | undefined {
  const conditions: SQL[] = [];
  if (cursor.seen) {
    conditions.push(sql`${txid} >= ${VALUE.seenXmin}`);
    conditions.push(sql`not pg_visible_in_snapshot(${txid}, ${VALUE.seen})`);
  }
  if (cursor.upto) {
    conditions.push(sql`${txid} < ${VALUE.uptoXmax}`);
    conditions.push(sql`pg_visible_in_snapshot(${txid}, ${VALUE.upto})`);
  }
  if (after) conditions.push(sql`(${txid}, ${seq}) > ${after}`);
  return and(...conditions);
}

/** The caller's rows only, on owned tables (as `ownedBy`), the caller a placeholder. */
function ownedByCaller(served: ServedTable): SQL | undefined {
  const column = served.ownerColumn;
  return column ? eq(column, new Param(VALUE.userId, column)) : undefined;
}

/**
 * The caller's rows of an owned table that moved to another owner in the window: one item
 * per row, at its latest move, in change order, as the pull's items (no row, the id, the
 * move's position, covered `false`).
 *
 * A row that has come back to the caller since is left out: its row is in the pull (or in a
 * later one, while the transaction that brought it back is still running), so an id comes
 * once, either as a row or as moved out.
 */
function movesIn(request: PullRequest<unknown>, after: SQL | null, limit: SQL | number): SQL {
  const { served, cursor } = request;
  const latest = sql`select distinct on (${ownerMove.rowId})
      ${ownerMove.rowId}, ${ownerMove.changeTxid}, ${ownerMove.changeSeq}
    from ${ownerMove}
    where ${ownerMove.tableName} = ${served.sqlName} and ${ownerMove.previousOwner} = ${VALUE.userId}
      and ${inWindow(cursor, after, ownerMove.changeTxid, ownerMove.changeSeq)}
    order by ${ownerMove.rowId}, ${ownerMove.changeTxid} desc, ${ownerMove.changeSeq} desc`;
  return sql`select null::text as ${ROW}, moved.row_id as ${ID}, moved.change_txid as ${TXID},
      moved.change_seq as ${SEQ}, false as ${COVERED}
    from (${latest}) as moved
    where not exists (
      select from ${served.table}
      where ${served.system.id} = moved.row_id and ${ownedByCaller(served)}
    )
    order by moved.change_txid, moved.change_seq limit ${limit}`;
}
