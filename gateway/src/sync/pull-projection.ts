import type { SQL } from 'drizzle-orm';
import type { ReadRow } from '../db/read-row';
import { JsonRows } from './json-rows';
import type { Row } from './outcomes';
import { PULL_COLUMN } from './pull-columns';
import { type RowField, rowJson, rowJsonColumns } from './row-json';
import { RowWriter } from './row-writer';
import { publicColumnKeys, type ServedTable } from './tables';

/**
 * How a pull's rows are read and answered. Postgres writes each row as JSON text
 * (row-json.ts), whole or in parts; the projection says which fields go in (`rowColumns`)
 * and what a page of them becomes (`collect`): `Row` objects for GraphQL's execution
 * (`pullProjection`), or the JSON in UTF-8, for a compiled pull to send as it is
 * (`jsonProjection`).
 */
export interface PullProjection<TRows> {
  /** Tells projections apart, in the keys of statements and pages read ahead. */
  id: number;
  /**
   * The columns a row's JSON is read from, in the statement's order: the first is the
   * statement's `row`, the rest come after its own columns (`PULL_COLUMN`).
   */
  rowColumns: SQL[];
  /** Makes a page's rows of the statement's items, added in order, each as it is read. */
  collect(): PageRows<TRows>;
}

export interface PageRows<TRows> {
  /** Adds the row of a statement's item; answers false when it has no JSON (a strict projection's). */
  add(item: ReadRow): boolean;
  done(): TRows;
}

const projections = new WeakMap<ServedTable, PullProjection<Row[]>>();
let projectionsMade = 0;
const nextId = () => {
  projectionsMade += 1;
  return projectionsMade;
};

const decoder = new TextDecoder();

/** Rows as objects of every public column, each value as its scalar will serialize it. */
export function pullProjection(served: ServedTable): PullProjection<Row[]> {
  const known = projections.get(served);
  if (known) return known;
  const fields = publicColumnKeys(served).map((key) => ({ key, column: key }));
  const projection: PullProjection<Row[]> = {
    id: nextId(),
    rowColumns: [rowJson(served, fields, 'lenient')],
    collect() {
      const rows: Row[] = [];
      const add = (item: ReadRow) => {
        const json = item.utf8(PULL_COLUMN.row);
        if (json === null) return false;
        rows.push(JSON.parse(typeof json === 'string' ? json : decoder.decode(json)) as Row);
        return true;
      };
      return { add, done: () => rows };
    },
  };
  projections.set(served, projection);
  return projection;
}

/**
 * Rows as the JSON a GraphQL answer holds for them: `fields` in order, under their response
 * keys, Postgres' text parts and the timestamps between them written one after the other
 * (`rowJsonColumns`). A row with a value no JSON can hold as its scalar would (`strict`)
 * fails the pull, which GraphQL's execution then answers with its error.
 */
export function jsonProjection(
  served: ServedTable,
  fields: readonly RowField[],
): PullProjection<JsonRows> {
  const { columns, parts } = rowJsonColumns(served, fields);
  return {
    id: nextId(),
    rowColumns: columns,
    collect: () => {
      const rows = new JsonRows();
      const writer = new RowWriter(parts);
      return { add: (item) => writer.write(item, rows), done: () => rows };
    },
  };
}
