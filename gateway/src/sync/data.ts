import type { OperationKind } from '@syncline/schema';
import type { ServedTable } from './tables';

/**
 * Checks an operation's data against the table's columns, naming the first field that is
 * wrong: required on INSERT, never null where the column is NOT NULL.
 */
export function checkData(
  served: ServedTable,
  kind: OperationKind,
  data: Record<string, unknown>,
  prefix: string,
): string | undefined {
  for (const key of served.info.dataColumns) {
    const column = served.columns[key];
    if (!column?.notNull) continue;
    const value = data[key];
    if (value === null) return `${prefix}.${key}: cannot be null`;
    if (kind === 'INSERT' && value === undefined && !column.hasDefault) {
      return `${prefix}.${key}: is required to insert a ${served.info.name}`;
    }
  }
  return undefined;
}

/** Converts input values (already typed by GraphQL) to what the Drizzle column expects. */
export function toColumnValues(served: ServedTable, data: Record<string, unknown>) {
  const values: Record<string, unknown> = {};
  for (const key of served.info.dataColumns) {
    if (!(key in data) || data[key] === undefined) continue;
    const value = data[key];
    const column = served.columns[key];
    values[key] =
      value instanceof Date && column?.columnType === 'PgTimestampString'
        ? value.toISOString()
        : value;
  }
  return values;
}
