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
  /** Items a page holds at most. */
  limit: number;
  /** Pages read at most, one after the other in one statement (default 1). */
  pages?: number;
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

const ROW = sql.identifier('row');
const ID = sql.identifier('id');
const TXID = sql.identifier('txid');
const SEQ = sql.identifier('seq');
const COVERED = sql.identifier('covered');

/** What changes from one page to the next: the statement's placeholders (see `pullQuery`). */
const VALUE = {
  userId: sql.placeholder('userId'),
  /** One item past the page: whether the window has more. */
  limitAndOne: sql`${sql.placeholder('limit')}::int + 1`,
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

function valuesOf(request: PullRequest<unknown>): Record<string, unknown> {
  const { seen, upto, after } = request.cursor;
  return {
    userId: request.userId,
    // The pages' items in one run: `pullChanges` cuts them into pages.
    limit: request.limit * (request.pages ?? 1),
    ...(seen && { seenXmin: seen.xmin.toString(), seen: snapshotText(seen) }),
    ...(upto && { uptoXmax: upto.xmax.toString(), upto: snapshotText(upto) }),
    ...(after && { afterTxid: after.txid.toString(), afterSeq: after.seq.toString() }),
  };
}

/**
 * The one statement of a pull (its columns: `PULL_COLUMN`): the first `limit × pages + 1` items of
 * the window in change order, one row each, then a row of the statement's own snapshot and the
 * table's tombstone horizon, all read in one snapshot. The window: changes by transactions
 * not visible in `cursor.seen`, visible in `cursor.upto` (none: in the statement's snapshot,
 * which is what the statement sees anyway), after `cursor.after`. The item past the last page
 * tells that the window has more; the gateway leaves it out of the answer.
 *
 * Postgres writes each row's JSON (pull-projection.ts), so an item reaches the gateway as a
 * text or two rather than a row of columns to decode. Items come one row each rather than joined
 * into one text: a page of a thousand rows joined is a third of a megabyte, which both
 * Postgres (to build and send it) and the gateway (to decode it) pay for in fresh memory,
 * about twice what the rows cost apart (see docs/benchmarks.md). The final order is
 * Postgres' merge of the items, already in change order, with the statement's row (its
 * position null, so last): no sort.
 */
export function pullStatement(request: PullRequest<unknown>, shape: PullShape): SQL {
  const { served, cursor } = request;
  const items = itemsStatement(request, shape, cursor.after && VALUE.after, VALUE.limitAndOne);
  const horizon = sql`select ${pruneHorizon.changeTxid}::text from ${pruneHorizon}
    where ${pruneHorizon.tableName} = ${served.info.name}`;
  const rest = restOfRow(request.projection);
  return sql`select * from (
      (select case when ${COVERED} then ${ROW} end as "row",
          case when not ${COVERED} then ${ID} end as "movedOut",
          ${TXID} as "txid", ${SEQ} as "seq", null::text as "snapshot", null::text as "horizon"
          ${sql.join(rest.map((name) => sql`, ${name}`))}
        from (${items}) as items)
      union all
      (select null, null, null, null, pg_current_snapshot()::text, (${horizon})
        ${sql.join(rest.map(() => sql`, null`))})
    ) as answer order by "txid", "seq"`;
}

/**
 * The first `limit` items of the window after `after` (an SQL position; null: from the
 * window's start), in change order, each row as its JSON.
 */
function itemsStatement(
  request: PullRequest<unknown>,
  shape: PullShape,
  after: SQL | null,
  limit: SQL,
): SQL {
  const { served, cursor, projection } = request;
  const { id, changeTxid, changeSeq } = served.system;
  const owner = ownedByCaller(served);
  const window = inWindow(cursor, after, changeTxid, changeSeq);
  const itemsOf = (covered: SQL, where: SQL | undefined) => {
    const conditions = and(owner, window, where);
    const [row, ...rest] = projection.rowColumns;
    const names = restOfRow(projection);
    return sql`select ${row} as ${ROW}, ${id} as ${ID}, ${changeTxid} as ${TXID},
        ${changeSeq} as ${SEQ}, ${covered} as ${COVERED}
        ${sql.join(rest.map((column, index) => sql`, ${column} as ${names[index]}`))}
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

/** The columns of a row after its first (`PullProjection.rowColumns`), as the statement names them. */
function restOfRow(projection: PullProjection<unknown>): SQL[] {
  return projection.rowColumns
    .slice(1)
    .map((_, index) => sql`${sql.identifier(`row_${index + 1}`)}`);
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
function movesIn(request: PullRequest<unknown>, after: SQL | null, limit: SQL): SQL {
  const { served, cursor } = request;
  const latest = sql`select distinct on (${ownerMove.rowId})
      ${ownerMove.rowId}, ${ownerMove.changeTxid}, ${ownerMove.changeSeq}
    from ${ownerMove}
    where ${ownerMove.tableName} = ${served.sqlName} and ${ownerMove.previousOwner} = ${VALUE.userId}
      and ${inWindow(cursor, after, ownerMove.changeTxid, ownerMove.changeSeq)}
    order by ${ownerMove.rowId}, ${ownerMove.changeTxid} desc, ${ownerMove.changeSeq} desc`;
  return sql`select null as ${ROW}, moved.row_id as ${ID}, moved.change_txid as ${TXID},
      moved.change_seq as ${SEQ}, false as ${COVERED}
      ${sql.join(restOfRow(request.projection).map((name) => sql`, null as ${name}`))}
    from (${latest}) as moved
    where not exists (
      select from ${served.table}
      where ${served.system.id} = moved.row_id and ${ownedByCaller(served)}
    )
    order by moved.change_txid, moved.change_seq limit ${limit}`;
}
