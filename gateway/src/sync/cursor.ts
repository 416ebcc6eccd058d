import type { Cursor } from '@syncline/schema';
import { bounded, isSnapshot, type Snapshot } from './snapshot';

/** A position in one table's change order: the writing transaction, then the write's sequence. */
export interface ChangePosition {
  txid: bigint;
  seq: bigint;
}

export const START: ChangePosition = { txid: 0n, seq: 0n };

/**
 * Where a pull is: what it has sent so far, as snapshots (see docs/protocol.md, "Cursors
 * and pulls"). Every change by a transaction visible in `seen` was sent; a pull sends the
 * changes by transactions not visible in `seen` and visible in `upto`, in change order.
 */
export interface PullCursor {
  /** Null: nothing sent yet (a first pull). */
  seen: Snapshot | null;
  /** While a pull pages: the snapshot whose changes it is sending. Null: the pull's own. */
  upto: Snapshot | null;
  /** While a pull pages: the last change it sent. */
  after: ChangePosition | null;
}

const POSITION = 'c1';
const SNAPSHOTS = 'c2';
/** A cursor longer than this was not made here (16 transactions in progress fit twice). */
const MAX_LENGTH = 1_200;
const REFUSED = { ok: false, reason: 'is not a cursor returned by this gateway' } as const;

export type Decoded<T> = ({ ok: true } & T) | { ok: false; reason: string };

/**
 * A pull's cursor, opaque to clients: base64url of `c2:<table>:<seen>:<upto>:<after>`,
 * each snapshot as `xmin.(xmax - xmin).(each in progress - xmin)...`, `-` for none; kept
 * small by `bounded`.
 */
export function encodePullCursor(table: string, cursor: PullCursor): Cursor {
  const snapshot = (at: Snapshot | null) => {
    if (!at) return '-';
    const { xmin, xmax, xip } = bounded(at);
    return [xmin, xmax - xmin, ...xip.map((x) => x - xmin)].join('.');
  };
  const after = cursor.after ? `${cursor.after.txid}.${cursor.after.seq}` : '-';
  const text = `${SNAPSHOTS}:${table}:${snapshot(cursor.seen)}:${snapshot(cursor.upto)}:${after}`;
  return Buffer.from(text, 'utf8').toString('base64url') as Cursor;
}

/**
 * Decodes a pull's cursor that must belong to `table`. A position cursor (`c1`, what pulls
 * answered before cursors were snapshots) still works: it had sent every change before its
 * position, so it reads as a snapshot that sees every transaction before it, and the
 * changes of its own transaction up to it.
 */
export function decodePullCursor(table: string, text: string): Decoded<{ cursor: PullCursor }> {
  const parts = partsOf(text);
  if (!parts) return REFUSED;
  const [prefix, cursorTable, ...fields] = parts;
  if (cursorTable !== table && (prefix === POSITION || prefix === SNAPSHOTS)) {
    return { ok: false, reason: `is a cursor of table ${cursorTable}, not ${table}` };
  }
  if (prefix === POSITION) {
    const position = positionFrom(fields[0], fields[1]);
    if (!position || (fields.length !== 2 && fields.length !== 4)) return REFUSED;
    if (position.txid === 0n) return { ok: true, cursor: { seen: null, upto: null, after: null } };
    const seen = { xmin: position.txid, xmax: position.txid, xip: [] };
    return { ok: true, cursor: { seen, upto: null, after: position } };
  }
  if (prefix !== SNAPSHOTS || fields.length !== 3) return REFUSED;
  const [seenText, uptoText, afterText] = fields as [string, string, string];
  const seen = snapshotFrom(seenText);
  const upto = snapshotFrom(uptoText);
  const [txid, seq, ...extra] = afterText.split('.');
  const after = afterText === '-' ? null : extra.length ? undefined : positionFrom(txid, seq);
  if (seen === undefined || upto === undefined || after === undefined) return REFUSED;
  // Paging needs both where it is and what it sends; a first pull has seen nothing.
  if ((upto === null) !== (after === null)) return REFUSED;
  return { ok: true, cursor: { seen, upto, after } };
}

/**
 * A change hint's cursor: the position of the change, base64url of
 * `c1:<table>:<txid>:<seq>`. Hints only say "pull now"; their cursors order them.
 */
export function encodePosition(table: string, position: ChangePosition): Cursor {
  const text = `${POSITION}:${table}:${position.txid}:${position.seq}`;
  return Buffer.from(text, 'utf8').toString('base64url') as Cursor;
}

export function decodePosition(table: string, text: string): Decoded<{ position: ChangePosition }> {
  const parts = partsOf(text);
  if (!parts || parts[0] !== POSITION || parts[1] !== table || parts.length !== 4) return REFUSED;
  const position = positionFrom(parts[2], parts[3]);
  return position ? { ok: true, position } : REFUSED;
}

function partsOf(text: string): string[] | undefined {
  if (text.length > MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  return Buffer.from(text, 'base64url').toString('utf8').split(':');
}

/** A snapshot from a cursor (`-`: none); undefined when it is not one. */
function snapshotFrom(text: string): Snapshot | null | undefined {
  if (text === '-') return null;
  const numbers = text.split('.');
  if (numbers.length < 2 || numbers.length > 2 + 16 || !numbers.every(isDigits)) {
    return undefined;
  }
  const [xmin, span, ...inProgress] = numbers.map(BigInt) as [bigint, bigint, ...bigint[]];
  const snapshot = { xmin, xmax: xmin + span, xip: inProgress.map((x) => xmin + x) };
  return isSnapshot(snapshot) ? snapshot : undefined;
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
