import { CHANGE_SEQUENCE } from '@syncline/schema';
import {
  bigint,
  customType,
  index,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** Orders the writes inside one transaction; see the `changeSeq` system column. */
export const changeSequence = pgSequence(CHANGE_SEQUENCE);

const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/**
 * The first outcome of every applied operation, so that a replayed `opId` returns it
 * and changes nothing. Keyed by user: one user's opId never reveals another's outcome.
 */
export const storedOutcome = pgTable(
  'syncline_outcome',
  {
    userId: text('user_id').notNull(),
    opId: text('op_id').notNull(),
    tableName: text('table_name').notNull(),
    outcome: jsonb('outcome'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.opId] })],
);

/**
 * Per table, the newest change position whose tombstone was pruned. A pull from a cursor
 * before it could miss a delete, so it fails with CURSOR_EXPIRED.
 */
export const pruneHorizon = pgTable('syncline_horizon', {
  tableName: text('table_name').primaryKey(),
  changeTxid: xid8('change_txid').notNull(),
  changeSeq: bigint('change_seq', { mode: 'number' }).notNull(),
  prunedAt: timestamp('pruned_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Rows that left their owner: one record per owner change of an owned table, written by
 * the `syncline_owner_moved` trigger (see the `syncline_track_owner` migration), at the
 * position the row moved at. The row no longer matches its old owner's pulls, so these
 * records are how those pulls learn to remove it (`movedOut`). Pruned with the tombstones.
 */
export const ownerMove = pgTable(
  'syncline_moved_out',
  {
    /** The table's SQL name, e.g. `todo_item`. */
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    previousOwner: text('previous_owner').notNull(),
    changeTxid: xid8('change_txid').notNull(),
    changeSeq: bigint('change_seq', { mode: 'number' }).notNull(),
    movedAt: timestamp('moved_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('syncline_moved_out_owner_change_idx').on(
      t.tableName,
      t.previousOwner,
      t.changeTxid,
      t.changeSeq,
    ),
  ],
);

/** All of Syncline's system tables and its sequence, keyed as a Drizzle schema exports them. */
export const systemTables = { changeSequence, storedOutcome, pruneHorizon, ownerMove };
