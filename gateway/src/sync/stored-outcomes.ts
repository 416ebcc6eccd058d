import { and, eq, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/database';
import { isOneOf, textList } from '../db/sql-lists';
import { storedOutcome } from '../db/system-tables';
import { fromStored, type StoredOutcome, storedText, type WriteOutcome } from './outcomes';
import type { ServedTable } from './tables';

/**
 * The opId bookkeeping behind "exactly once": a claim row per operation being applied, its
 * outcome stored in the same transaction when the operation wrote something.
 */

export async function findStored(
  tx: Db,
  userId: string,
  opId: string,
): Promise<WriteOutcome | null> {
  return (await findStoredMany(tx, userId, [opId])).get(opId) ?? null;
}

/** The stored outcomes of those of `opIds` that were applied before, by opId. */
export async function findStoredMany(
  tx: Db,
  userId: string,
  opIds: readonly string[],
): Promise<Map<string, WriteOutcome>> {
  const found = new Map<string, WriteOutcome>();
  if (opIds.length === 0) return found;
  const rows = await tx
    .select()
    .from(storedOutcome)
    .where(and(eq(storedOutcome.userId, userId), isOneOf(storedOutcome.opId, opIds)));
  for (const row of rows) {
    if (row.outcome) {
      found.set(row.opId, fromStored(row.outcome as StoredOutcome, row.opId, row.tableName));
    }
  }
  return found;
}

/** Records that this user's opId is being applied; false when it already was. */
export async function claimOpId(tx: Db, userId: string, opId: string, served: ServedTable) {
  return (await claimOpIds(tx, userId, [{ opId, served }])).has(opId);
}

/**
 * Claims several opIds in one statement; answers those claimed. A claim that another
 * transaction holds waits for it to finish, so concurrent replays serialise here.
 */
export async function claimOpIds(
  tx: Db,
  userId: string,
  operations: readonly { opId: string; served: ServedTable }[],
): Promise<Set<string>> {
  if (operations.length === 0) return new Set();
  const opIds = textList(operations.map((op) => op.opId));
  const tables = textList(operations.map((op) => op.served.info.name));
  const claimed = rowsOf<{ opId: string }>(
    await tx.execute(sql`insert into ${storedOutcome}
        (${sql.identifier(storedOutcome.userId.name)}, ${sql.identifier(storedOutcome.opId.name)},
          ${sql.identifier(storedOutcome.tableName.name)})
      select ${userId}, claim.op_id, claim.table_name
        from unnest(${opIds}, ${tables}) with ordinality as claim(op_id, table_name, ord)
        order by claim.ord
      on conflict do nothing
      returning ${sql.identifier(storedOutcome.opId.name)} as "opId"`),
  );
  return new Set(claimed.map((row) => row.opId));
}

/** Drops the claims of operations that changed nothing: their replays are evaluated afresh. */
export async function releaseClaims(tx: Db, userId: string, opIds: readonly string[]) {
  if (opIds.length === 0) return;
  await tx
    .delete(storedOutcome)
    .where(and(eq(storedOutcome.userId, userId), isOneOf(storedOutcome.opId, opIds)));
}

/** Stores the outcomes of applied operations on their claims, in one statement. */
export async function storeOutcomes(
  tx: Db,
  userId: string,
  outcomes: readonly (WriteOutcome & { opId: string })[],
) {
  if (outcomes.length === 0) return;
  const opIds = textList(outcomes.map((outcome) => outcome.opId));
  const stored = textList(outcomes.map(storedText));
  await tx.execute(
    sql`update ${storedOutcome} set outcome = stored.stored_outcome::jsonb
      from unnest(${opIds}, ${stored}) as stored(stored_op_id, stored_outcome)
      where ${storedOutcome.userId} = ${userId} and ${storedOutcome.opId} = stored.stored_op_id`,
  );
}
