import type { ConflictCode, Outcome, RejectionCode } from '@syncline/schema';
import { publicColumnKeys, type ServedTable } from './tables';

export type Row = Record<string, unknown>;

/** An operation's outcome, with the table its row belongs to (for the `SyncRow` union). */
export type WriteOutcome = Outcome<Row> & { table: string };

/** The row as clients see it: no change-position columns. */
export function publicRow(served: ServedTable, row: Row): Row {
  const out: Row = {};
  for (const key of publicColumnKeys(served)) out[key] = row[key];
  return out;
}

export function applied(served: ServedTable, opId: string | null, row: Row): WriteOutcome {
  const outcome = { opId, status: 'APPLIED', code: null, message: null } as const;
  return { ...outcome, row: publicRow(served, row), table: served.info.name };
}

export function conflict(
  served: ServedTable,
  opId: string | null,
  code: ConflictCode,
  row: Row | null,
): WriteOutcome {
  return {
    opId,
    status: 'CONFLICT',
    code,
    message: conflictMessages[code],
    row: row && publicRow(served, row),
    table: served.info.name,
  };
}

export function rejected(
  served: ServedTable,
  opId: string | null,
  code: RejectionCode,
  message: string,
): WriteOutcome {
  return { opId, status: 'REJECTED', code, message, row: null, table: served.info.name };
}

const conflictMessages: Record<ConflictCode, string> = {
  VERSION_MISMATCH: 'The row changed since the version you sent; row is the current one.',
  ALREADY_EXISTS: 'A row with this id already exists; row is the current one.',
  NOT_FOUND: 'There is no row with this id.',
  DELETED: 'The row was deleted; row is its tombstone.',
};

type WithoutOpId<T> = T extends unknown ? Omit<T, 'opId'> : never;

/** What is kept of an applied outcome for replays: plain JSON. */
export type StoredOutcome = WithoutOpId<Outcome<Row>>;

export function toStored(outcome: WriteOutcome): StoredOutcome {
  // Through JSON now, so that a replay returns exactly what the first response did.
  return JSON.parse(storedText(outcome)) as StoredOutcome;
}

/** The JSON text of what is kept of an outcome (`toStored`), as the database stores it. */
export function storedText(outcome: WriteOutcome): string {
  const { status, code, message, row } = outcome;
  return JSON.stringify({ status, code, message, row });
}

export function fromStored(stored: StoredOutcome, opId: string, table: string): WriteOutcome {
  return { ...stored, opId, table };
}
