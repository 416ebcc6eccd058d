import type { Cursor } from '@syncline/schema';

/** A position in one table's change order: the writing transaction, then the write's sequence. */
export interface ChangePosition {
  txid: bigint;
  seq: bigint;
}

export const START: ChangePosition = { txid: 0n, seq: 0n };

const PREFIX = 'c1';

/**
 * Cursors are opaque to clients: base64url of `c1:<table>:<txid>:<seq>`. A cursor in the
 * middle of a first pull of a filtered query or an owned table also carries the position
 * that first pull will end at: `c1:<table>:<txid>:<seq>:<end txid>:<end seq>` (see pull.ts).
 */
export function encodeCursor(
  table: string,
  position: ChangePosition,
  firstPullEnd?: ChangePosition,
): Cursor {
  const end = firstPullEnd ? `:${firstPullEnd.txid}:${firstPullEnd.seq}` : '';
  const text = `${PREFIX}:${table}:${position.txid}:${position.seq}${end}`;
  return Buffer.from(text, 'utf8').toString('base64url') as Cursor;
}

export type DecodedCursor =
  | { ok: true; position: ChangePosition; firstPullEnd?: ChangePosition }
  | { ok: false; reason: string };

/** Decodes a cursor that must belong to `table`; says why when it is not one. */
export function decodeCursor(table: string, cursor: string): DecodedCursor {
  const refused = { ok: false, reason: 'is not a cursor returned by this gateway' } as const;
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return refused;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const [prefix, cursorTable, ...numbers] = parts;
  if (prefix !== PREFIX || (numbers.length !== 2 && numbers.length !== 4)) return refused;
  const position = positionFrom(numbers[0], numbers[1]);
  const firstPullEnd = numbers.length === 4 ? positionFrom(numbers[2], numbers[3]) : undefined;
  if (!position || (numbers.length === 4 && !firstPullEnd)) return refused;
  if (cursorTable !== table) {
    return { ok: false, reason: `is a cursor of table ${cursorTable}, not ${table}` };
  }
  return firstPullEnd ? { ok: true, position, firstPullEnd } : { ok: true, position };
}

/** A position from a cursor's digits; undefined when they are not one. */
function positionFrom(
  txid: string | undefined,
  seq: string | undefined,
): ChangePosition | undefined {
  if (!isDigits(txid) || !isDigits(seq)) return undefined;
  const position = { txid: BigInt(txid), seq: BigInt(seq) };
  // Positions come from xid8 (unsigned 64-bit) and a bigint sequence: nothing larger exists.
  return position.txid > MAX_TXID || position.seq > MAX_SEQ ? undefined : position;
}

const MAX_TXID = 2n ** 64n - 1n;
const MAX_SEQ = 2n ** 63n - 1n;

function isDigits(value: string | undefined): value is string {
  return value !== undefined && /^\d{1,20}$/.test(value);
}

export function comparePositions(a: ChangePosition, b: ChangePosition): number {
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** The change position of a stored row (driver values: xid8 as text, seq as number). */
export function positionOf(row: Record<string, unknown>): ChangePosition {
  return { txid: BigInt(row.changeTxid as string), seq: BigInt(row.changeSeq as number) };
}
