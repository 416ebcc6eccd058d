import { CHANGE_SEQUENCE } from '@syncline/schema';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/database';
import { checkData, toColumnValues } from './data';
import { applied, conflict, type Row, rejected, type WriteOutcome } from './outcomes';
import type { ServedTable } from './tables';
import type { WriteOperation } from './write-operation';

/** What an UPDATE or DELETE sets besides the data: a new version and change position. */
export function bumpValues(served: ServedTable): Record<string, SQL> {
  return {
    version: sql`${served.system.version} + 1`,
    updatedAt: sql`now()`,
    changeTxid: sql`pg_current_xact_id()`,
    changeSeq: sql.raw(`nextval('${CHANGE_SEQUENCE}')`),
  };
}

/** The caller's rows only, on owned tables; everything elsewhere. */
export function ownedBy(served: ServedTable, userId: string): SQL | undefined {
  return served.ownerColumn ? eq(served.ownerColumn, userId) : undefined;
}

export async function selectRow(tx: Db, served: ServedTable, id: string, owner?: SQL) {
  const rows = await tx
    .select()
    .from(served.table)
    .where(and(eq(served.system.id, id), owner))
    .limit(1);
  return (rows[0] as Row | undefined) ?? null;
}

export type Written = { outcome: WriteOutcome; stored: Row | null; previous: Row | null };

/** Applies one operation's row write, without hooks or opId bookkeeping. */
export async function writeRow(tx: Db, userId: string, op: WriteOperation): Promise<Written> {
  const refused = refusalOf(op);
  if (refused) return { outcome: refused, stored: null, previous: null };
  if (op.kind === 'INSERT') return insertRow(tx, userId, op);
  return changeRow(tx, userId, op);
}

/** The rejection an operation gets before anything is written: a read-only table, bad data. */
export function refusalOf(op: WriteOperation): WriteOutcome | undefined {
  const { served, opId } = op;
  if (served.info.access === 'read') {
    const message = `${served.info.name} is read-only: clients may pull it but not write it`;
    return rejected(served, opId, 'FORBIDDEN', message);
  }
  const problem = checkData(served, op.kind, op.data, op.dataField);
  return problem ? rejected(served, opId, 'INVALID', problem) : undefined;
}

async function insertRow(tx: Db, userId: string, op: WriteOperation): Promise<Written> {
  const { served, opId } = op;
  const values = { ...toColumnValues(served, op.data), id: op.id };
  if (served.info.owner !== undefined) Object.assign(values, { [served.info.owner]: userId });
  const inserted = await tx
    .insert(served.table)
    .values(values)
    .onConflictDoNothing({ target: served.system.id })
    .returning();
  const row = inserted[0] as Row | undefined;
  if (row) return { outcome: applied(served, opId, row), stored: row, previous: null };
  const current = await selectRow(tx, served, op.id);
  if (current && served.info.owner !== undefined && current[served.info.owner] !== userId) {
    // Another user's row: say nothing about it, only that this id cannot be used.
    const message = 'id: this id is not available; choose another';
    return { outcome: rejected(served, opId, 'FORBIDDEN', message), stored: null, previous: null };
  }
  return {
    outcome: conflict(served, opId, 'ALREADY_EXISTS', current),
    stored: null,
    previous: null,
  };
}

async function changeRow(tx: Db, userId: string, op: WriteOperation): Promise<Written> {
  const { served, opId } = op;
  const owner = ownedBy(served, userId);
  const live = and(eq(served.system.id, op.id), eq(served.system.deleted, false), owner);
  // Hooks see the row as it was; lock it so that it cannot change in between.
  const previous = served.info.hooks.afterWrite
    ? (((await tx.select().from(served.table).where(live).for('update'))[0] as Row | undefined) ??
      null)
    : null;
  const values = op.kind === 'DELETE' ? { deleted: true } : toColumnValues(served, op.data);
  const changed = await tx
    .update(served.table)
    .set({ ...values, ...bumpValues(served) })
    .where(and(live, eq(served.system.version, op.version ?? -1)))
    .returning();
  const row = changed[0] as Row | undefined;
  if (row) return { outcome: applied(served, opId, row), stored: row, previous };

  const current = await selectRow(tx, served, op.id, owner);
  const none = { stored: null, previous: null };
  if (!current) return { outcome: conflict(served, opId, 'NOT_FOUND', null), ...none };
  if (current.deleted === true) {
    // Deleting what is already deleted is done: the tombstone stays as it is.
    if (op.kind === 'DELETE') return { outcome: applied(served, opId, current), ...none };
    return { outcome: conflict(served, opId, 'DELETED', current), ...none };
  }
  return { outcome: conflict(served, opId, 'VERSION_MISMATCH', current), ...none };
}
