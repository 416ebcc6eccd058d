import type { Query, SQL } from 'drizzle-orm';
import { PgDialect, type PreparedQueryConfig } from 'drizzle-orm/pg-core';
import type { Db } from './sync-database';

/** Renders as every database of the gateway does (Drizzle's Postgres dialect, no casing). */
const dialect = new PgDialect();

/** `statement` as text and parameters, its placeholders (`sql.placeholder`) left as such. */
export function renderSql(statement: SQL): Query {
  return dialect.sqlToQuery(statement);
}

/**
 * Runs a statement rendered once (`renderSql`) with this call's `values` for its
 * placeholders: what `db.execute()` does, without walking Drizzle's SQL tree again. A
 * transaction runs it in the transaction, as `execute` would. Rows come as arrays of their
 * columns, in the statement's order: cheaper than objects for statements of many rows.
 */
export function executeRendered(
  db: Db,
  query: Query,
  values: Record<string, unknown>,
): Promise<unknown[][]> {
  return db._.session
    .prepareQuery<{ execute: unknown[][] } & PreparedQueryConfig>(
      query,
      undefined,
      undefined,
      true,
      (rows) => rows,
    )
    .execute(values);
}
