import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/**
 * Lists of values as one parameter each: a `text[]`, cast in SQL to what each needs. A
 * batch's statements used to carry a parameter per value (a VALUES row per operation, an
 * IN list per id): Drizzle spends some microseconds on each while building the statement
 * and Postgres parses each, which made up a fifth of a push of 100 operations. Text is the
 * one array both drivers (node-postgres, PGlite) send alike; each value is in the form its
 * column's type reads (`driverText`).
 */
export function textList(values: readonly (string | null)[]): SQL {
  return sql`${sql.param([...values])}::text[]`;
}

/** `column` is one of `values` (an index scan, as `in (...)` would be). */
export function isOneOf(column: PgColumn | SQL, values: readonly string[]): SQL {
  return sql`${column} = any(${textList(values)})`;
}

/**
 * A value as the text its column's type reads: what the column hands the driver
 * (`mapToDriverValue`: a JSON column's JSON, a timestamp's ISO text), numbers and booleans
 * as node-postgres writes them; null stays null.
 */
export function driverText(column: PgColumn, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const driver = column.mapToDriverValue(value);
  return driver === null || driver === undefined ? null : String(driver);
}
