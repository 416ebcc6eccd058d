import {
  and,
  eq,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  or,
  param,
  type SQL,
  sql,
} from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { ServedTable } from './tables';

/** One column's conditions, as the `<Scalar>Filter` input types carry them. */
export interface ColumnFilter {
  eq?: unknown;
  ne?: unknown;
  in?: unknown[];
  lt?: unknown;
  lte?: unknown;
  gt?: unknown;
  gte?: unknown;
  contains?: string;
  isNull?: boolean;
}

/** A `<Table>Where` input: column filters and nested `and`/`or`, all ANDed together. */
export type Where = { and?: Where[]; or?: Where[] } & {
  [column: string]: ColumnFilter | Where[] | undefined;
};

export const FILTER_LIMITS = { depth: 4, conditions: 100, inValues: 1000 };

/** A filter that cannot be run, with the path of the field at fault. */
export class FilterError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly code: 'BAD_USER_INPUT' | 'LIMIT_EXCEEDED',
  ) {
    super(`${path}: ${problem}`);
  }
}

/**
 * Builds the SQL condition of a `where` input. Every value is a bound parameter; column
 * names come only from the table's own columns.
 */
export function whereToSql(served: ServedTable, where: Where, path = 'where'): SQL | undefined {
  let conditions = 0;
  const visit = (node: Where, at: string, depth: number): SQL | undefined => {
    if (depth > FILTER_LIMITS.depth) {
      throw new FilterError(
        at,
        `and/or nest at most ${FILTER_LIMITS.depth} deep`,
        'LIMIT_EXCEEDED',
      );
    }
    const parts: (SQL | undefined)[] = [];
    for (const [key, value] of Object.entries(node)) {
      if (value === undefined || value === null) continue;
      if (key === 'and' || key === 'or') {
        const nested = (value as Where[]).map((child, i) =>
          visit(child, `${at}.${key}[${i}]`, depth + 1),
        );
        parts.push(key === 'and' ? and(...nested) : nested.length ? or(...nested) : undefined);
        continue;
      }
      const column = served.columns[key];
      if (!column) throw new FilterError(`${at}.${key}`, 'is not a column', 'BAD_USER_INPUT');
      for (const [op, operand] of Object.entries(value as ColumnFilter)) {
        if (operand === undefined || operand === null) continue;
        if (++conditions > FILTER_LIMITS.conditions) {
          throw new FilterError(
            at,
            `at most ${FILTER_LIMITS.conditions} conditions`,
            'LIMIT_EXCEEDED',
          );
        }
        parts.push(condition(column, op, operand, `${at}.${key}.${op}`));
      }
    }
    return and(...parts);
  };
  return visit(where, path, 0);
}

function condition(column: PgColumn, op: string, operand: unknown, path: string): SQL {
  switch (op) {
    case 'eq':
      return eq(column, operand);
    case 'ne':
      // SQL's <> never matches NULL; "not equal to x" should include rows without a value.
      return sql`${column} is distinct from ${param(operand, column)}`;
    case 'lt':
      return lt(column, operand);
    case 'lte':
      return lte(column, operand);
    case 'gt':
      return gt(column, operand);
    case 'gte':
      return gte(column, operand);
    case 'contains':
      return sql`strpos(${column}, ${operand}) > 0`;
    case 'isNull':
      return operand ? isNull(column) : isNotNull(column);
    case 'in': {
      const values = operand as unknown[];
      if (values.length > FILTER_LIMITS.inValues) {
        throw new FilterError(path, `at most ${FILTER_LIMITS.inValues} values`, 'LIMIT_EXCEEDED');
      }
      return values.length ? inArray(column, values) : sql`false`;
    }
  }
  throw new FilterError(path, 'is not a filter operator', 'BAD_USER_INPUT');
}
