/**
 * A row of a statement as `SyncDatabase.readRows` hands it over: its columns by index, each
 * read the way its reader needs it. On Postgres the row is the connection's bytes, valid only
 * while `onRow` runs: a reader keeps what it copied or decoded, never the row.
 */
export interface ReadRow {
  /** A text column's value; null for SQL null. */
  text(column: number): string | null;
  /**
   * A text column as the database sent it: its UTF-8 bytes on Postgres (copy them to keep
   * them), its text on PGlite; null for SQL null.
   */
  utf8(column: number): Uint8Array | string | null;
  /** An integer column (`int4`, `int8`, `xid8`) exactly: a number when it is safe, else a bigint. */
  integer(column: number): number | bigint | null;
  /**
   * A `timestamp` or `timestamptz` column as milliseconds since the epoch (a timestamp
   * without time zone read as UTC), what the microseconds are truncated to; ±Infinity for
   * `infinity`, NaN for what no instant is.
   */
  timestamp(column: number): number | null;
}

/** A row of values a driver has already parsed (PGlite's; node-postgres' as text). */
export class ValuesRow implements ReadRow {
  values: readonly unknown[] = [];

  text(column: number): string | null {
    const value = this.values[column];
    return value === null || value === undefined ? null : String(value);
  }

  utf8(column: number): string | null {
    return this.text(column);
  }

  integer(column: number): number | bigint | null {
    const value = this.values[column];
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') return value;
    return safeNumber(BigInt(value as string | bigint));
  }

  timestamp(column: number): number | null {
    const value = this.values[column];
    if (value === null || value === undefined) return null;
    if (value instanceof Date) return value.getTime();
    if (typeof value === 'number') return value;
    return timestampOfText(String(value));
  }
}

/** `2026-12-01 18:23:41.869+00`, as Postgres writes a timestamp (ISO `DateStyle`), or without an offset. */
const TIMESTAMP_TEXT =
  /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::?(\d\d))?(?::(\d\d))?)?$/;

/** A timestamp's text as milliseconds since the epoch (see `ReadRow.timestamp`). */
export function timestampOfText(text: string): number {
  if (text === 'infinity') return Number.POSITIVE_INFINITY;
  if (text === '-infinity') return Number.NEGATIVE_INFINITY;
  const parts = TIMESTAMP_TEXT.exec(text);
  if (!parts) return Number.NaN;
  const [
    ,
    year,
    month,
    day,
    hours,
    minutes,
    seconds,
    fraction,
    sign,
    offsetHours,
    offsetMinutes,
    offsetSeconds,
  ] = parts;
  const at = new Date(0);
  at.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  at.setUTCHours(
    Number(hours),
    Number(minutes),
    Number(seconds),
    Number((fraction ?? '').padEnd(3, '0').slice(0, 3)),
  );
  const offset =
    (Number(offsetHours ?? 0) * 3600 +
      Number(offsetMinutes ?? 0) * 60 +
      Number(offsetSeconds ?? 0)) *
    1000;
  return at.getTime() - (sign === '-' ? -offset : offset);
}

/** `value` as a number when a number holds it exactly. */
export function safeNumber(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(value)
    : value;
}
