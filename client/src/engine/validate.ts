import type { ColumnDescription, TableDescription } from '@syncline/schema';
import { SyncInputError } from '../errors';

const SERVER_FIELDS = new Set(['version', 'createdAt', 'updatedAt', 'deleted']);
const MAX_ID_LENGTH = 128;

/** Checks a row id: what the gateway accepts, 1 to 128 characters. */
export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new SyncInputError(field, `must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
  return value;
}

/** An ISO 8601 string for a Date or date string; throws naming the field otherwise. */
function toIsoString(field: string, value: unknown): string {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new SyncInputError(field, 'must be a Date or an ISO 8601 date-time string');
  }
  return date.toISOString();
}

/** A column value as the client stores and sends it, or a `SyncInputError` naming the field. */
export function columnValue(field: string, column: ColumnDescription, value: unknown): unknown {
  if (value === null) {
    if (!column.nullable) throw new SyncInputError(field, 'cannot be null');
    return null;
  }
  switch (column.kind) {
    case 'string':
      if (typeof value !== 'string') throw new SyncInputError(field, 'must be a string');
      return value;
    case 'int':
      if (!Number.isInteger(value) || Math.abs(value as number) > 2 ** 31 - 1) {
        throw new SyncInputError(field, 'must be a 32-bit integer');
      }
      return value;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new SyncInputError(field, 'must be a finite number');
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new SyncInputError(field, 'must be true or false');
      return value;
    case 'datetime':
      return toIsoString(field, value);
    case 'json':
      try {
        return JSON.parse(JSON.stringify(value)) as unknown;
      } catch (cause) {
        throw new SyncInputError(field, `must be JSON (${String(cause)})`);
      }
  }
}

/**
 * The data columns of `input`, checked and normalised. Unknown keys and server-kept fields
 * are refused, except the system fields of a row passed back whole when `allowSystem`.
 */
export function dataOf(
  table: TableDescription,
  at: string,
  input: Record<string, unknown>,
  allowSystem: boolean,
): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'id' || value === undefined) continue;
    const column = table.columns.find((candidate) => candidate.key === key);
    if (column) {
      data[key] = columnValue(`${at}.${key}`, column, value);
    } else if (SERVER_FIELDS.has(key) || key === table.owner) {
      if (!allowSystem) throw new SyncInputError(`${at}.${key}`, 'is set by the server');
    } else {
      const known = table.columns.map((candidate) => candidate.key).join(', ');
      throw new SyncInputError(
        `${at}.${key}`,
        `is not a column of ${table.name} (columns: ${known})`,
      );
    }
  }
  return data;
}

/** Refuses an insert that leaves out a column the server requires. */
export function checkRequired(table: TableDescription, at: string, data: Record<string, unknown>) {
  for (const column of table.columns) {
    if (column.required && data[column.key] === undefined) {
      throw new SyncInputError(`${at}.${column.key}`, `is required to insert a ${table.name}`);
    }
  }
}
