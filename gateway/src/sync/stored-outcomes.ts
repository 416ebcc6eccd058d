import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/database';
import { storedOutcome } from '../db/system-tables';
import { fromStored, type StoredOutcome, toStored, type WriteOutcome } from './outcomes';
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
    .where(and(eq(storedOutcome.userId, userId), inArray(storedOutcome.opId, [...opIds])));
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
  const claimed = await tx
    .insert(storedOutcome)
    .values(operations.map((op) => ({ userId, opId: op.opId, tableName: op.served.info.name })))
    .onConflictDoNothing()
    .returning({ opId: storedOutcome.opId });
  return new Set(claimed.map((row) => row.opId));
}

/** Drops the claims of operations that changed nothing: their replays are evaluated afresh. */
export async function releaseClaims(tx: Db, userId: string, opIds: readonly string[]) {
  if (opIds.length === 0) return;
  await tx
    .delete(storedOutcome)
    .where(and(eq(storedOutcome.userId, userId), inArray(storedOutcome.opId, [...opIds])));
}

/** Stores the outcomes of applied operations on their claims, in one statement. */
export async function storeOutcomes(
  tx: Db,
  userId: string,
  outcomes: readonly (WriteOutcome & { opId: string })[],
) {
  if (outcomes.length === 0) return;
  const values = outcomes.map(
    (outcome) => sql`(${outcome.opId}, ${JSON.stringify(toStored(outcome))}::jsonb)`,
  );
  await tx.execute(
    sql`update ${storedOutcome} set outcome = stored.stored_outcome
      from (values ${sql.join(values, sql`, `)}) as stored(stored_op_id, stored_outcome)
      where ${storedOutcome.userId} = ${userId} and ${storedOutcome.opId} = stored.stored_op_id`,
  );
}
