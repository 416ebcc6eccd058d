import { and, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { ownerMove, pruneHorizon } from '../db/system-tables';
import type { ChangePosition, PullCursor } from './cursor';
import { COVERED, META, pullProjection } from './pull-projection';
import { ownedBy } from './row-writes';
import { type Snapshot, snapshotText } from './snapshot';
import type { ServedTable } from './tables';

/** A pull of one window of a table's changes, as the resolver asks for it. */
export interface PullRequest {
  served: ServedTable;
  userId: string;
  cursor: PullCursor;
  limit: number;
  where: SQL | undefined;
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

export function pullShape(request: PullRequest): PullShape {
  const losesRows = request.where !== undefined || request.served.ownerColumn !== undefined;
  return losesRows && request.cursor.seen ? 'changes' : 'rows';
}

/**
 * The one statement of a pull: at most `limit + 1` items of the window in change order,
 * then one more item (`META` set) with the statement's own snapshot and the table's
 * tombstone horizon, read in the same snapshot as the items. The window: changes by
 * transactions not visible in `cursor.seen`, visible in `cursor.upto` (none: in the
 * statement's snapshot, which is what the statement sees anyway), after `cursor.after`.
 */
export function pullStatement(request: PullRequest, shape: PullShape): SQL {
  const { served, cursor, limit } = request;
  const { changeTxid, changeSeq } = served.system;
  const projection = pullProjection(served);
  const owner = ownedBy(served, request.userId);
  const window = inWindow(cursor, changeTxid, changeSeq);
  const order = sql`order by ${changeTxid}, ${changeSeq} limit ${limit + 1}`;
  const itemsOf = (covered: SQL, where: SQL | undefined) => {
    const conditions = and(owner, window, where);
    return sql`select ${projection.columns}, ${covered} as ${sql.identifier(COVERED)}, null::text as ${sql.identifier(META)}
      from ${served.table} ${conditions ? sql`where ${conditions}` : sql``} ${order}`;
  };
  let items: SQL;
  if (shape === 'rows') {
    items = itemsOf(sql`true`, request.where);
  } else {
    const covered = request.where ? sql`coalesce((${request.where}), false)` : sql`true`;
    items = itemsOf(covered, undefined);
    if (owner) {
      items = sql`select * from ((${items}) union all (${movesIn(request)})) as changes
        order by ${projection.orderBy} limit ${limit + 1}`;
    }
  }
  const horizon = sql`(select ${pruneHorizon.changeTxid}::text from ${pruneHorizon}
    where ${pruneHorizon.tableName} = ${served.info.name})`;
  const meta = sql`select ${projection.idOnly(sql`null`, sql`null`, sql`null`)}, null,
    pg_current_snapshot()::text || '|' || coalesce(${horizon}, '')`;
  return sql`(${items}) union all (${meta})`;
}

/** The window's conditions on a change position, as index ranges where they can be. */
function inWindow(cursor: PullCursor, txid: SQL | PgColumn, seq: SQL | PgColumn): SQL | undefined {
  const { seen, upto, after } = cursor;
  const conditions: SQL[] = [];
  if (seen) {
    conditions.push(sql`${txid} >= ${seen.xmin.toString()}::xid8`);
    conditions.push(sql`not pg_visible_in_snapshot(${txid}, ${snapshotParam(seen)})`);
  }
  if (upto) {
    conditions.push(sql`${txid} < ${upto.xmax.toString()}::xid8`);
    conditions.push(sql`pg_visible_in_snapshot(${txid}, ${snapshotParam(upto)})`);
  }
  if (after) conditions.push(sql`(${txid}, ${seq}) > ${position(after)}`);
  return and(...conditions);
}

function snapshotParam(snapshot: Snapshot): SQL {
  return sql`${snapshotText(snapshot)}::pg_snapshot`;
}

function position(at: ChangePosition): SQL {
  return sql`(${at.txid.toString()}::xid8, ${at.seq.toString()}::bigint)`;
}

/**
 * The caller's rows of an owned table that moved to another owner in the window: one item
 * per row, at its latest move, in change order, with the pull's columns (the id, nulls, the
 * move's position, covered `false`).
 *
 * A row that has come back to the caller since is left out: its row is in the pull (or in a
 * later one, while the transaction that brought it back is still running), so an id comes
 * once, either as a row or as moved out.
 */
function movesIn(request: PullRequest): SQL {
  const { served, userId, limit, cursor } = request;
  const latest = sql`select distinct on (${ownerMove.rowId})
      ${ownerMove.rowId}, ${ownerMove.changeTxid}, ${ownerMove.changeSeq}
    from ${ownerMove}
    where ${ownerMove.tableName} = ${served.sqlName} and ${ownerMove.previousOwner} = ${userId}
      and ${inWindow(cursor, ownerMove.changeTxid, ownerMove.changeSeq)}
    order by ${ownerMove.rowId}, ${ownerMove.changeTxid} desc, ${ownerMove.changeSeq} desc`;
  const columns = pullProjection(served).idOnly(
    sql`moved.row_id`,
    sql`moved.change_txid`,
    sql`moved.change_seq`,
  );
  return sql`select ${columns}, false as ${sql.identifier(COVERED)}, null::text as ${sql.identifier(META)}
    from (${latest}) as moved
    where not exists (
      select from ${served.table}
      where ${served.system.id} = moved.row_id and ${ownedBy(served, userId)}
    )
    order by moved.change_txid, moved.change_seq limit ${limit + 1}`;
}
