import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { ChangePosition } from './cursor';
import type { Row } from './outcomes';
import { publicColumnKeys, type ServedTable } from './tables';

/**
 * What a pull selects and how its raw rows become public rows. Pulls are the hot path, so
 * they skip what Drizzle's row mapping and the DateTime scalar would do a thousand times
 * a page: timestamps come from Postgres already as the ISO 8601 text the API answers
 * (`toISOString()`'s format), other values go through their column's own decoding.
 */
export interface PullProjection {
  /** The select list: public columns under their keys, then the change position. */
  columns: SQL;
  /**
   * The same select list for a row known only by its id (a moved-out record): the id, nulls
   * for the other columns, then the change position.
   */
  idOnly(id: SQL, changeTxid: SQL | PgColumn, changeSeq: SQL | PgColumn): SQL;
  /** Change order over a statement's output (a union of branches that select `columns`). */
  orderBy: SQL;
  toRow(raw: Record<string, unknown>): Row;
  positionOf(raw: Record<string, unknown>): ChangePosition;
}

const TXID = '__syncline_txid';
const SEQ = '__syncline_seq';
/** Whether a pull's item is a row the query covers (false: an id that moved out); see pull-statement.ts. */
export const COVERED = '__syncline_covered';
/** Set on a pull's last item only: its snapshot and the table's horizon, not a row. */
export const META = '__syncline_meta';
const ISO_8601 = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

const projections = new WeakMap<ServedTable, PullProjection>();

export function pullProjection(served: ServedTable): PullProjection {
  const known = projections.get(served);
  if (known) return known;
  const keys = publicColumnKeys(served);
  const decoders = keys.map((key) => {
    const column = served.columns[key] as PgColumn;
    return isTimestamp(column) ? null : column;
  });
  const columns = keys.map((key) => {
    const column = served.columns[key] as PgColumn;
    return sql`${isTimestamp(column) ? isoText(column) : column} as ${sql.identifier(key)}`;
  });
  const { changeTxid, changeSeq } = served.system;
  const position = (txid: SQL | PgColumn, seq: SQL | PgColumn) => [
    sql`${txid}::text as ${sql.identifier(TXID)}`,
    sql`${seq}::text as ${sql.identifier(SEQ)}`,
  ];
  const projection: PullProjection = {
    columns: sql.join([...columns, ...position(changeTxid, changeSeq)], sql`, `),
    idOnly: (id, txid, seq) =>
      sql.join(
        [...keys.map((key) => (key === 'id' ? sql`${id}` : sql`null`)), ...position(txid, seq)],
        sql`, `,
      ),
    orderBy: sql`${sql.identifier(TXID)}::xid8, ${sql.identifier(SEQ)}::bigint`,
    toRow(raw) {
      const row: Row = {};
      for (let index = 0; index < keys.length; index++) {
        const key = keys[index] as string;
        const value = raw[key];
        const decoder = decoders[index];
        row[key] = value == null || !decoder ? (value ?? null) : decoder.mapFromDriverValue(value);
      }
      return row;
    },
    positionOf: (raw) => ({ txid: BigInt(raw[TXID] as string), seq: BigInt(raw[SEQ] as string) }),
  };
  projections.set(served, projection);
  return projection;
}

function isTimestamp(column: PgColumn): boolean {
  return column.columnType === 'PgTimestamp' || column.columnType === 'PgTimestampString';
}

/**
 * A timestamp as `toISOString()` writes it, in UTC with milliseconds. Years outside 1 to
 * 9999 have no such form: they come as Postgres text, which the DateTime scalar refuses
 * as it refused them before.
 */
function isoText(column: PgColumn): SQL {
  const withTimezone = (column as PgColumn & { withTimezone?: boolean }).withTimezone === true;
  const utc = withTimezone ? sql`(${column} at time zone 'UTC')` : sql`${column}`;
  return sql`case when extract(year from ${utc}) between 1 and 9999 then to_char(${utc}, ${sql.raw(ISO_8601)}) else ${utc}::text end`;
}
