import { type ColumnKind, columnKind } from '@syncline/schema';
import type { PgColumn } from 'drizzle-orm/pg-core';

export type ScalarName = 'String' | 'Int' | 'Float' | 'Boolean' | 'DateTime' | 'JSON';
export type FilterName =
  | 'StringFilter'
  | 'IntFilter'
  | 'FloatFilter'
  | 'BooleanFilter'
  | 'DateTimeFilter';

const scalars: Record<ColumnKind, [ScalarName, FilterName | null]> = {
  string: ['String', 'StringFilter'],
  int: ['Int', 'IntFilter'],
  float: ['Float', 'FloatFilter'],
  boolean: ['Boolean', 'BooleanFilter'],
  datetime: ['DateTime', 'DateTimeFilter'],
  json: ['JSON', null],
};

/** The GraphQL scalar and filter input of a Drizzle column; throws for column types not served. */
export function columnType(table: string, key: string, column: PgColumn) {
  const [scalar, filter] = scalars[columnKind(table, key, column)];
  return { scalar, filter };
}
