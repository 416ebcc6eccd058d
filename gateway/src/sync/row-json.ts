import { columnKind } from '@syncline/schema';
import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { renderSql } from '../db/rendered-query';
import type { ServedTable } from './tables';

/** One field of a pull's rows as a request selects it: its key in the answer, and its column. */
export interface RowField {
  /** The response key: the field's alias, or its name. */
  key: string;
  /** The column's key in the table (`createdAt`). */
  column: string;
}

/**
 * How a row's JSON treats a value GraphQL's scalar has no JSON for (NaN, a year outside 1
 * to 9999, a null in a non-null field): `strict` makes the row's JSON null (the row cannot
 * be written as its fields ask), `lenient` writes what the database holds (as a string,
 * for GraphQL's scalars to refuse, as they always have).
 */
export type RowJsonMode = 'strict' | 'lenient';

/** A GraphQL name: the only keys written into a row's JSON, which need no escaping. */
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * A row as JSON text, built by Postgres: `fields` in order, under their keys, each value
 * exactly as its GraphQL scalar serializes it (strings escaped by `to_json`, timestamps as
 * `toISOString()` writes them, numbers and booleans as they are, JSON columns as stored).
 */
export function rowJson(served: ServedTable, fields: readonly RowField[], mode: RowJsonMode): SQL {
  const parts = fields.map(({ key, column }, index) => {
    const drizzleColumn = fieldColumn(served, key, column);
    const value = fieldJson(served.info.name, column, drizzleColumn, mode);
    return sql`${keyLiteral(key, index)} || ${value}`;
  });
  return rendered(sql`${sql.join(parts, sql` || `)} || '}'`);
}

/**
 * A part of a row's JSON: a column of text, a column of timestamps for the gateway to write,
 * or text that is the same in every row (keys and punctuation only), which no column holds.
 */
export type RowPart =
  | { kind: 'text' }
  | { kind: 'timestamp'; nullable: boolean }
  | { kind: 'constant'; text: string };

/** A row's JSON as its parts, in order, and the columns of those that are columns. */
export interface RowJsonColumns {
  columns: SQL[];
  parts: RowPart[];
}

/**
 * A row's JSON as `rowJson` writes it strictly, but in parts: runs of text that Postgres
 * writes, and between them each timestamp as it is, for the gateway to write
 * (`writeIsoJson`). Postgres' `to_char` took about a third of the CPU it spent on a row; the
 * gateway writes the same 26 bytes in a fraction of that. A run with no value in it (the
 * keys between two timestamps, the `}` after a last one) is a constant the gateway writes
 * itself. A row has JSON when every text part is not null, and every timestamp has its
 * form, or is a nullable field's null.
 */
export function rowJsonColumns(served: ServedTable, fields: readonly RowField[]): RowJsonColumns {
  const columns: SQL[] = [];
  const parts: RowPart[] = [];
  let run: SQL[] = [];
  /** The run's text while it holds no value. */
  let constant: string | undefined = '';
  const add = (text: string) => {
    run.push(sql.raw(`'${text}'`));
    if (constant !== undefined) constant += text;
  };
  const endRun = (last: boolean) => {
    // A row of constants only is still one column: the statement reads a row's first.
    if (constant !== undefined && (columns.length > 0 || !last)) {
      if (constant) parts.push({ kind: 'constant', text: constant });
    } else {
      columns.push(rendered(sql`(${sql.join(run, sql` || `)})::text`));
      parts.push({ kind: 'text' });
    }
    run = [];
    constant = '';
  };
  fields.forEach(({ key, column }, index) => {
    const drizzleColumn = fieldColumn(served, key, column);
    add(keyText(key, index));
    if (columnKind(served.info.name, column, drizzleColumn) !== 'datetime') {
      run.push(fieldJson(served.info.name, column, drizzleColumn, 'strict'));
      constant = undefined;
      return;
    }
    endRun(false);
    columns.push(sql`${drizzleColumn}`);
    parts.push({ kind: 'timestamp', nullable: !drizzleColumn.notNull });
  });
  add('}');
  endRun(true);
  return { columns, parts };
}

function fieldColumn(served: ServedTable, key: string, column: string): PgColumn {
  if (!NAME.test(key)) throw new Error(`pull: ${key} is not a GraphQL name`);
  const drizzleColumn = served.columns[column];
  if (!drizzleColumn) throw new Error(`pull: ${served.info.name} has no column ${column}`);
  return drizzleColumn;
}

/** What comes ahead of a field's value: `{"key":` for the first, `,"key":` after. */
function keyLiteral(key: string, index: number): SQL {
  return sql.raw(`'${keyText(key, index)}'`);
}

function keyText(key: string, index: number): string {
  return `${index === 0 ? '{' : ','}"${key}":`;
}

/**
 * `expression` as one piece of SQL text. A row's JSON is a tree of a hundred pieces or so
 * that Drizzle would walk again for every page (about 0.2 ms of the gateway's CPU a page);
 * it holds no parameter, only columns and literals, so its text is the same every time.
 */
function rendered(expression: SQL): SQL {
  const { sql: text, params } = renderSql(expression);
  if (params.length) throw new Error(`pull: a row's JSON has parameters`);
  return sql.raw(text);
}

function fieldJson(table: string, key: string, column: PgColumn, mode: RowJsonMode): SQL {
  const kind = columnKind(table, key, column);
  // A JSON null in a nullable column is the field's null, as in GraphQL.
  const strict = kind === 'json' && !column.notNull ? lenientJson : strictJson;
  const value = mode === 'strict' ? strict(kind, column) : lenientJson(kind, column);
  if (!column.notNull) return sql`case when ${column} is null then 'null' else ${value} end`;
  return mode === 'strict' ? value : sql`coalesce(${value}, 'null')`;
}

type Kind = ReturnType<typeof columnKind>;

/** The JSON of a value that is not null, or SQL null when its scalar has no JSON for it. */
function strictJson(kind: Kind, column: PgColumn): SQL {
  switch (kind) {
    case 'string':
      return sql`to_json(${column})::text`;
    case 'int':
      return sql`${column}::text`;
    case 'float':
      // JSON has no NaN or infinities (GraphQL's Float refuses them), and -0 is written 0.
      return sql`case when ${column}::float8 in ('NaN', 'Infinity', '-Infinity') then null when ${column} = 0 then '0' else ${column}::text end`;
    case 'boolean':
      return sql`case when ${column} then 'true' when not ${column} then 'false' end`;
    case 'datetime':
      return sql`'"' || ${isoText(column)} || '"'`;
    case 'json':
      // A JSON null in a non-null field: GraphQL's error.
      return sql`nullif(btrim(${column}::text), 'null')`;
  }
}

/** The JSON of a value, whatever it is: what has no JSON of its kind comes as a string. */
function lenientJson(kind: Kind, column: PgColumn): SQL {
  switch (kind) {
    case 'float':
      return sql`coalesce(${strictJson(kind, column)}, to_json(${column}::text)::text)`;
    case 'datetime':
      return sql`coalesce(${strictJson(kind, column)}, to_json(${column}::text)::text)`;
    case 'json':
      return sql`${column}::text`;
    default:
      return strictJson(kind, column);
  }
}

const ISO_8601 = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * A timestamp as `toISOString()` writes it, in UTC with milliseconds; null for years
 * outside 1 to 9999, which have no such form. (The literals' offset counts for a column
 * with time zone; one without is read as UTC already.)
 */
function isoText(column: PgColumn): SQL {
  const withTimezone = (column as PgColumn & { withTimezone?: boolean }).withTimezone === true;
  const utc = withTimezone ? sql`(${column} at time zone 'UTC')` : sql`${column}`;
  return sql`case when ${column} >= '0001-01-01 00:00:00+00' and ${column} < '10000-01-01 00:00:00+00' then to_char(${utc}, ${sql.raw(ISO_8601)}) end`;
}
