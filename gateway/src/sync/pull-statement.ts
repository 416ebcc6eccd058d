import { and, type SQL, sql } from 'drizzle-orm';
import { ownerMove } from '../db/system-tables';
import type { ChangePosition } from './cursor';
import type { PullRequest } from './pull';
import { COVERED, pullProjection } from './pull-projection';
import { ownedBy } from './row-writes';

/**
 * What a pull's statement reads:
 *
 * - `rows`: the matching rows, the filter in the WHERE, as ever. A pull of a table without
 *   owner and without filter, and the pages after the first of a first pull.
 * - `first`: the same, plus one item for the newest settled change of the table (covered
 *   `null`, only its position counts). The first page of a first pull of a query that can
 *   lose rows: a filtered query, or any query of an owned table. A first pull carries no
 *   `movedOut` (the device has nothing of the query yet), and its last page ends at the
 *   position its first page found (see pull.ts).
 * - `changes`: an incremental pull of such a query. Every change of the caller's rows since
 *   the cursor with the filter as a column (covered `false`: moved out, only the id
 *   counts), merged, for an owned table, with the caller's rows that moved to another
 *   owner (see `movesSince`).
 */
export type PullShape = 'rows' | 'first' | 'changes';

export function pullShape(request: PullRequest): PullShape {
  const losesRows = request.where !== undefined || request.served.ownerColumn !== undefined;
  if (!losesRows || request.firstPullEnd) return 'rows';
  return request.after ? 'changes' : 'first';
}

/**
 * The one statement of a pull: at most `limit + 1` items in change order (and, for `first`,
 * the newest change: the branches are appended in order, so the rows keep theirs, and
 * pull.ts finds that one item wherever it lands). Every branch reads only changes below
 * the snapshot's xmin (settled), in one snapshot.
 */
export function pullStatement(request: PullRequest, shape: PullShape): SQL {
  const { served, after, limit } = request;
  const { changeTxid, changeSeq } = served.system;
  const projection = pullProjection(served);
  const owner = ownedBy(served, request.userId);
  const settled = sql`${changeTxid} < pg_snapshot_xmin(pg_current_snapshot())`;
  const since = after ? sql`(${changeTxid}, ${changeSeq}) > ${position(after)}` : undefined;
  const order = sql`order by ${changeTxid}, ${changeSeq} limit ${limit + 1}`;
  const matching = and(owner, since, settled, request.where);
  if (shape === 'rows') {
    return sql`select ${projection.columns} from ${served.table} where ${matching} ${order}`;
  }
  if (shape === 'first' || !after) {
    const rows = sql`select ${projection.columns}, true as ${sql.identifier(COVERED)}
      from ${served.table} where ${matching} ${order}`;
    const newest = sql`select ${projection.idOnly(sql`null`, changeTxid, changeSeq)},
        null as ${sql.identifier(COVERED)}
      from ${served.table} where ${settled}
      order by ${changeTxid} desc, ${changeSeq} desc limit 1`;
    return sql`(${rows}) union all (${newest})`;
  }
  const covered = request.where ? sql`coalesce((${request.where}), false)` : sql`true`;
  const changed = sql`select ${projection.columns}, ${covered} as ${sql.identifier(COVERED)}
    from ${served.table} where ${and(owner, since, settled)} ${order}`;
  if (!owner) return changed;
  return sql`select * from ((${changed}) union all (${movesSince(request, after)})) as changes
    order by ${projection.orderBy} limit ${limit + 1}`;
}

function position(at: ChangePosition): SQL {
  return sql`(${at.txid.toString()}::xid8, ${at.seq.toString()}::bigint)`;
}

/**
 * The caller's rows of an owned table that moved to another owner after `after`: one item
 * per row, at its latest settled move, in change order, with the pull's columns (the id,
 * nulls, the move's position, covered `false`).
 *
 * A row that has come back to the caller since is left out: its row is in the pull (or in a
 * later one, while the transaction that brought it back is still running), so an id comes
 * once, either as a row or as moved out.
 */
function movesSince(request: PullRequest, after: ChangePosition): SQL {
  const { served, userId, limit } = request;
  const latest = sql`select distinct on (${ownerMove.rowId})
      ${ownerMove.rowId}, ${ownerMove.changeTxid}, ${ownerMove.changeSeq}
    from ${ownerMove}
    where ${ownerMove.tableName} = ${served.sqlName} and ${ownerMove.previousOwner} = ${userId}
      and (${ownerMove.changeTxid}, ${ownerMove.changeSeq}) > ${position(after)}
      and ${ownerMove.changeTxid} < pg_snapshot_xmin(pg_current_snapshot())
    order by ${ownerMove.rowId}, ${ownerMove.changeTxid} desc, ${ownerMove.changeSeq} desc`;
  const columns = pullProjection(served).idOnly(
    sql`moved.row_id`,
    sql`moved.change_txid`,
    sql`moved.change_seq`,
  );
  return sql`select ${columns}, false as ${sql.identifier(COVERED)}
    from (${latest}) as moved
    where not exists (
      select from ${served.table}
      where ${served.system.id} = moved.row_id and ${ownedBy(served, userId)}
    )
    order by moved.change_txid, moved.change_seq limit ${limit + 1}`;
}
