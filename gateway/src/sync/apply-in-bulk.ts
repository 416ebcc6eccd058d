import type { Db } from '../db/database';
import type { ApplyContext } from './apply-context';
import { changeRowsInBulk } from './bulk-changes';
import { ChangeLog } from './changes';
import { positionOf } from './cursor';
import { rejectionFor } from './db-errors';
import type { WriteOutcome } from './outcomes';
import { type Written, writeRow } from './row-writes';
import { claimOpIds, findStoredMany, releaseClaims, storeOutcomes } from './stored-outcomes';
import type { WriteOperation } from './write-operation';

/** Thrown to roll the bulk attempt back: an operation needs its own savepoint. */
class NeedsSavepoints {}

/**
 * Applies a batch without a savepoint per operation, when no table in it has a hook. The
 * opId bookkeeping is done for the whole batch (one lookup of earlier outcomes, one claim,
 * one store of the new outcomes); a run of UPDATEs and DELETEs of distinct rows of one
 * table is one statement (`changeRowsInBulk`), an INSERT one statement each.
 *
 * Without savepoints, a statement the database refuses (a broken constraint, a value out
 * of range) aborts the transaction, so the batch is rolled back instead and this answers
 * null: the caller applies it again with a savepoint per operation, which turns the
 * refusal into that operation's REJECTED outcome. Conflicts and the rejections found
 * before writing never need that: they write nothing, and their claims are dropped.
 */
export async function applyInBulk(
  db: Db,
  context: ApplyContext,
  operations: readonly WriteOperation[],
): Promise<WriteOutcome[] | null> {
  const { userId } = context;
  try {
    return await db.transaction(async (tx) => {
      const opIds = operations.flatMap((op) => (op.opId === null ? [] : [op.opId]));
      const replayed = await findStoredMany(tx, userId, opIds);
      const fresh = operations.flatMap((op) =>
        op.opId === null || replayed.has(op.opId) ? [] : [{ opId: op.opId, served: op.served }],
      );
      const claimed = await claimOpIds(tx, userId, fresh);
      // An opId not claimed now was applied meanwhile by a request that has since committed.
      const raced = fresh.flatMap((op) => (claimed.has(op.opId) ? [] : [op.opId]));
      for (const [opId, outcome] of await findStoredMany(tx, userId, raced)) {
        replayed.set(opId, outcome);
      }
      const earlier = (op: WriteOperation) =>
        op.opId === null ? undefined : replayed.get(op.opId);
      for (const { opId } of fresh) {
        if (!claimed.has(opId) && !replayed.has(opId)) {
          throw new Error(`opId ${opId} was claimed but has no stored outcome`);
        }
      }

      const changes = new ChangeLog();
      const outcomes: WriteOutcome[] = [];
      const toStore: (WriteOutcome & { opId: string })[] = [];
      const unchanged: string[] = [];
      const settle = (op: WriteOperation, { outcome, stored }: Written) => {
        outcomes.push(outcome);
        if (outcome.status === 'APPLIED' && stored) {
          const ownerKey = op.served.info.owner;
          const owner = ownerKey === undefined ? null : String(stored[ownerKey]);
          changes.record(op.served, owner, positionOf(stored));
          if (op.opId !== null) toStore.push({ ...outcome, opId: op.opId });
        } else if (op.opId !== null) {
          unchanged.push(op.opId);
        }
      };

      for (let index = 0; index < operations.length; ) {
        const op = operations[index] as WriteOperation;
        const answer = earlier(op);
        if (answer) {
          outcomes.push(answer);
          index++;
          continue;
        }
        const run = changeRun(operations, index, earlier);
        const written = await refusedAsRetry(run, () =>
          run.length > 1
            ? changeRowsInBulk(tx, userId, run)
            : writeRow(tx, userId, op).then((one) => [one]),
        );
        for (const [offset, each] of written.entries()) settle(run[offset] as WriteOperation, each);
        index += run.length;
      }
      await releaseClaims(tx, userId, unchanged);
      await storeOutcomes(tx, userId, toStore);
      await changes.notify(tx);
      return outcomes;
    });
  } catch (error) {
    if (error instanceof NeedsSavepoints) return null;
    throw error;
  }
}

/**
 * The operations from `start` that one statement can apply: consecutive UPDATEs and
 * DELETEs of one table, each of another row, none answered from an earlier outcome.
 * Just the operation at `start` when it is an INSERT.
 */
function changeRun(
  operations: readonly WriteOperation[],
  start: number,
  earlier: (op: WriteOperation) => WriteOutcome | undefined,
): WriteOperation[] {
  const first = operations[start] as WriteOperation;
  if (first.kind === 'INSERT') return [first];
  const ids = new Set<string>();
  const run: WriteOperation[] = [];
  for (const op of operations.slice(start)) {
    if (op.kind === 'INSERT' || op.served !== first.served || ids.has(op.id) || earlier(op)) break;
    ids.add(op.id);
    run.push(op);
  }
  return run;
}

/** Runs a write; a refusal by the database means: start over with savepoints. */
async function refusedAsRetry(
  run: readonly WriteOperation[],
  write: () => Promise<Written[]>,
): Promise<Written[]> {
  try {
    return await write();
  } catch (error) {
    if (run.some((op) => rejectionFor(error, op.served, op.dataField))) throw new NeedsSavepoints();
    throw error;
  }
}
