import type { SQL } from 'drizzle-orm';
import { JsonRows } from './json-rows';
import type { Row } from './outcomes';
import { type RowField, rowJson } from './row-json';
import { publicColumnKeys, type ServedTable } from './tables';

/**
 * How a pull's rows are read and answered. Postgres writes each row as JSON text
 * (row-json.ts); the projection says which fields go in (`rowJson`) and what a page of
 * those texts becomes (`collect`): `Row` objects for GraphQL's execution (`pullProjection`),
 * or the texts themselves in UTF-8, for a compiled pull to send as they are
 * (`jsonProjection`).
 */
export interface PullProjection<TRows> {
  /** Tells projections apart, in the keys of statements and pages read ahead. */
  id: number;
  /** A row's JSON text; SQL null when the row has none (see `RowJsonMode`). */
  rowJson: SQL;
  /** Makes a page's rows of their JSON texts, added in order, each as it is read. */
  collect(): PageRows<TRows>;
}

export interface PageRows<TRows> {
  add(text: string): void;
  done(): TRows;
}

const projections = new WeakMap<ServedTable, PullProjection<Row[]>>();
let projectionsMade = 0;
const nextId = () => {
  projectionsMade += 1;
  return projectionsMade;
};

/** Rows as objects of every public column, each value as its scalar will serialize it. */
export function pullProjection(served: ServedTable): PullProjection<Row[]> {
  const known = projections.get(served);
  if (known) return known;
  const fields = publicColumnKeys(served).map((key) => ({ key, column: key }));
  const projection: PullProjection<Row[]> = {
    id: nextId(),
    rowJson: rowJson(served, fields, 'lenient'),
    collect() {
      const rows: Row[] = [];
      return { add: (text) => rows.push(JSON.parse(text) as Row), done: () => rows };
    },
  };
  projections.set(served, projection);
  return projection;
}

/**
 * Rows as the JSON text a GraphQL answer holds for them: `fields` in order, under their
 * response keys. A row with a value no JSON can hold as its scalar would (`strict`) fails
 * the pull, which GraphQL's execution then answers with its error.
 */
export function jsonProjection(
  served: ServedTable,
  fields: readonly RowField[],
): PullProjection<JsonRows> {
  return {
    id: nextId(),
    rowJson: rowJson(served, fields, 'strict'),
    collect: () => new JsonRows(),
  };
}
