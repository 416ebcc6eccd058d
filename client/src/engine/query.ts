import type { ColumnKind, TableDescription } from '@syncline/schema';
import { SyncInputError } from '../errors';
import type { KeyRange } from '../store/store';
import type { AnyWhere, StoredRow } from '../types';
import { columnValue } from './validate';

const COMPARISONS = ['eq', 'ne', 'in', 'lt', 'lte', 'gt', 'gte', 'isNull'];
/** The operators of the gateway's `<Scalar>Filter` inputs, per column kind. */
const OPERATORS: Record<Exclude<ColumnKind, 'json'>, readonly string[]> = {
  string: [...COMPARISONS, 'contains'],
  int: COMPARISONS,
  float: COMPARISONS,
  datetime: COMPARISONS,
  boolean: ['eq', 'ne', 'isNull'],
};
const SYSTEM_KINDS: Record<string, ColumnKind> = {
  id: 'string',
  version: 'int',
  createdAt: 'datetime',
  updatedAt: 'datetime',
};

function kindOf(table: TableDescription, key: string): ColumnKind | undefined {
  return SYSTEM_KINDS[key] ?? table.columns.find((column) => column.key === key)?.kind;
}

/**
 * Checks a `where` against the table and returns it with DateTime operands as ISO strings,
 * the form rows are stored and sent in. Throws `SyncInputError` naming the bad field.
 */
export function normalizeWhere(table: TableDescription, where: AnyWhere, at = 'where'): AnyWhere {
  const result: AnyWhere = {};
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined || value === null) continue;
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw new SyncInputError(`${at}.${key}`, 'must be an array');
      result[key] = value.map((child: AnyWhere, i) =>
        normalizeWhere(table, child, `${at}.${key}[${i}]`),
      );
      continue;
    }
    const kind = kindOf(table, key);
    if (!kind || kind === 'json') {
      throw new SyncInputError(`${at}.${key}`, `is not a filterable column of ${table.name}`);
    }
    const filter: Record<string, unknown> = {};
    for (const [op, operand] of Object.entries(value as Record<string, unknown>)) {
      const allowed = OPERATORS[kind];
      if (!allowed.includes(op)) {
        const list = allowed.join(', ');
        throw new SyncInputError(`${at}.${key}.${op}`, `is not an operator for ${key} (${list})`);
      }
      if (operand === undefined || operand === null) continue;
      const column = { key, kind, nullable: false, required: false };
      const field = `${at}.${key}.${op}`;
      if (op === 'isNull') filter[op] = columnValue(field, { ...column, kind: 'boolean' }, operand);
      else if (op === 'contains')
        filter[op] = columnValue(field, { ...column, kind: 'string' }, operand);
      else if (op === 'in') {
        if (!Array.isArray(operand)) throw new SyncInputError(field, 'must be an array');
        filter[op] = operand.map((item, i) => columnValue(`${field}[${i}]`, column, item));
      } else filter[op] = columnValue(field, column, operand);
    }
    result[key] = filter;
  }
  return result;
}

function compareValues(a: unknown, b: unknown): number {
  const aMissing = a === null || a === undefined;
  const bMissing = b === null || b === undefined;
  if (a === b || (aMissing && bMissing)) return 0;
  if (aMissing) return -1;
  if (bMissing) return 1;
  return (a as number | string) < (b as number | string) ? -1 : 1;
}

function matchesColumn(value: unknown, filter: Record<string, unknown>): boolean {
  const missing = value === null || value === undefined;
  for (const [op, operand] of Object.entries(filter)) {
    const ok =
      op === 'isNull'
        ? missing === operand
        : op === 'ne'
          ? missing || value !== operand
          : !missing &&
            (op === 'eq'
              ? value === operand
              : op === 'in'
                ? (operand as unknown[]).includes(value)
                : op === 'contains'
                  ? typeof value === 'string' && value.includes(operand as string)
                  : op === 'lt'
                    ? compareValues(value, operand) < 0
                    : op === 'lte'
                      ? compareValues(value, operand) <= 0
                      : op === 'gt'
                        ? compareValues(value, operand) > 0
                        : compareValues(value, operand) >= 0);
    if (!ok) return false;
  }
  return true;
}

/** Whether a row satisfies a normalised `where`, with the gateway's semantics. */
export function matchesWhere(row: StoredRow, where: AnyWhere): boolean {
  for (const [key, value] of Object.entries(where)) {
    if (key === 'and') {
      if (!(value as AnyWhere[]).every((child) => matchesWhere(row, child))) return false;
    } else if (key === 'or') {
      const children = value as AnyWhere[];
      if (children.length > 0 && !children.some((child) => matchesWhere(row, child))) return false;
    } else if (!matchesColumn(row[key], value as Record<string, unknown>)) {
      return false;
    }
  }
  return true;
}

export type SortSpec = [key: string, direction: 'asc' | 'desc'][];

/** `orderBy` as a list of `[column, direction]`, checked against the table. */
export function sortSpec(table: TableDescription, orderBy: unknown): SortSpec {
  if (orderBy === undefined) return [];
  const parts = (Array.isArray(orderBy) ? orderBy : [orderBy]) as Record<string, unknown>[];
  return parts.flatMap((part) =>
    Object.entries(part).map(([key, direction]): [string, 'asc' | 'desc'] => {
      if (!kindOf(table, key) && key !== table.owner) {
        throw new SyncInputError(`orderBy.${key}`, `is not a column of ${table.name}`);
      }
      if (direction !== 'asc' && direction !== 'desc') {
        throw new SyncInputError(`orderBy.${key}`, "must be 'asc' or 'desc'");
      }
      return [key, direction];
    }),
  );
}

export function compareRows(spec: SortSpec) {
  return (a: StoredRow, b: StoredRow) => {
    for (const [key, direction] of spec) {
      const order = compareValues(a[key], b[key]);
      if (order !== 0) return direction === 'asc' ? order : -order;
    }
    return compareValues(a.id, b.id);
  };
}

/**
 * An index read that narrows a `where` before it is evaluated: an `eq`, or a range from
 * `gt`/`gte`/`lt`/`lte`, on an indexed top-level column. Undefined when none helps.
 */
export function indexRange(
  indexed: ReadonlySet<string>,
  where: AnyWhere,
): { index: string; range: KeyRange } | undefined {
  let best: { index: string; range: KeyRange } | undefined;
  for (const [key, value] of Object.entries(where)) {
    if (!indexed.has(key)) continue;
    const filter = value as Record<string, string | number>;
    if (filter.eq !== undefined)
      return { index: key, range: { lower: filter.eq, upper: filter.eq } };
    const range: KeyRange = {};
    const lower = filter.gt ?? filter.gte;
    const upper = filter.lt ?? filter.lte;
    if (lower !== undefined) Object.assign(range, { lower, lowerOpen: filter.gt !== undefined });
    if (upper !== undefined) Object.assign(range, { upper, upperOpen: filter.lt !== undefined });
    if (lower !== undefined || upper !== undefined) best ??= { index: key, range };
  }
  return best;
}
