import type { PgColumn } from 'drizzle-orm/pg-core';

export type ScalarName = 'String' | 'Int' | 'Float' | 'Boolean' | 'DateTime' | 'JSON';
export type FilterName =
  | 'StringFilter'
  | 'IntFilter'
  | 'FloatFilter'
  | 'BooleanFilter'
  | 'DateTimeFilter';

const scalars: Record<string, [ScalarName, FilterName | null]> = {
  PgText: ['String', 'StringFilter'],
  PgVarchar: ['String', 'StringFilter'],
  PgChar: ['String', 'StringFilter'],
  PgUUID: ['String', 'StringFilter'],
  PgInteger: ['Int', 'IntFilter'],
  PgSmallInt: ['Int', 'IntFilter'],
  PgBigInt53: ['Float', 'FloatFilter'],
  PgReal: ['Float', 'FloatFilter'],
  PgDoublePrecision: ['Float', 'FloatFilter'],
  PgBoolean: ['Boolean', 'BooleanFilter'],
  PgTimestamp: ['DateTime', 'DateTimeFilter'],
  PgTimestampString: ['DateTime', 'DateTimeFilter'],
  PgJsonb: ['JSON', null],
  PgJson: ['JSON', null],
};

/** The GraphQL scalar and filter input of a Drizzle column; throws for column types not served. */
export function columnType(table: string, key: string, column: PgColumn) {
  const found = scalars[column.columnType];
  if (!found) {
    const served = Object.keys(scalars).join(', ');
    throw new Error(
      `${table}.${key}: column type ${column.columnType} is not served (served: ${served})`,
    );
  }
  return { scalar: found[0], filter: found[1] };
}
