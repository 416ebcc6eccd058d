import type { SyncWriter } from '@syncline/schema';
import { and, eq } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/database';
import type { ChangeLog } from './changes';
import { positionOf } from './cursor';
import type { Row } from './outcomes';
import { bumpValues } from './row-writes';
import type { ServedTable } from './tables';

/** The writes a hook may make, inside the operation's savepoint, keeping sync bookkeeping. */
export function createHookWriter(
  tx: Db,
  servedTables: ReadonlyMap<PgTable, ServedTable>,
  changes: ChangeLog,
): SyncWriter {
  const served = (table: PgTable) => {
    const found = servedTables.get(table);
    if (!found) throw new Error('A hook wrote to a table that the gateway does not serve');
    return found;
  };
  const live = (target: ServedTable, id: string) =>
    and(eq(target.system.id, id), eq(target.system.deleted, false));

  return {
    async get(table, id) {
      const target = served(table);
      const rows = await tx.select().from(table).where(live(target, id)).for('update');
      return (rows[0] as Row | undefined) ?? null;
    },
    async update(table, id, values) {
      const target = served(table);
      const rows = await tx
        .update(table)
        .set({ ...values, ...bumpValues(target) })
        .where(live(target, id))
        .returning();
      const row = rows[0] as Row | undefined;
      if (!row) return null;
      const owner = target.info.owner === undefined ? null : String(row[target.info.owner]);
      changes.record(target, owner, positionOf(row));
      return row;
    },
  };
}
