/**
 * The columns of a pull's statement, in order (see `pullStatement`). Each of its rows is an
 * item of the window (its position set), or, last, the statement's own row (`snapshot` set).
 */
export const PULL_COLUMN = {
  /**
   * The item's row, as its projection's first column (see `PullProjection.rowColumns`);
   * the rest come after `horizon`. Null when it moved out.
   */
  row: 0,
  /** The id of an item that left the query (text). */
  movedOut: 1,
  /** The item's change position: an `xid8` and a `bigint`. */
  txid: 2,
  seq: 3,
  /** `pg_current_snapshot()` of the statement, as text. */
  snapshot: 4,
  /** The table's tombstone horizon, a transaction id as text; null when nothing was pruned. */
  horizon: 5,
  /** Where the row's columns after its first begin. */
  rowRest: 6,
} as const;
