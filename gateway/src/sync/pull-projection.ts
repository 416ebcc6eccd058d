import type { SQL } from 'drizzle-orm';
import type { ReadRow } from '../db/read-row';
import { hasIsoJson, ISO_JSON_BYTES, writeIsoJson } from './iso-json';
import { JsonRows } from './json-rows';
import type { Row } from './outcomes';
import { PULL_COLUMN } from './pull-columns';
import { type RowField, type RowPart, rowJson, rowJsonColumns } from './row-json';
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

const NULL = Buffer.from('null');

/** What a row's part is to its writer. */
const TEXT = 0;
const TIMESTAMP = 1;
const CONSTANT = 2;

/** Writes a row's parts (`RowPart`) one after the other into `JsonRows`. */
class RowWriter {
  /** For each part: what it is, its column in the statement (a constant's: -1), if it is nullable. */
  readonly #kinds: Uint8Array;
  readonly #columns: Int32Array;
  readonly #nullable: Uint8Array;
  /** Each text part of the row being written, and each constant's bytes. */
  readonly #texts: (Uint8Array | string)[];
  /** Each timestamp of the row being written (NaN: null). */
  readonly #millis: Float64Array;

  constructor(parts: readonly RowPart[]) {
    let columns = 0;
    this.#columns = Int32Array.from(parts, (part) => {
      if (part.kind === 'constant') return -1;
      columns += 1;
      return columns === 1 ? PULL_COLUMN.row : PULL_COLUMN.rowRest + columns - 2;
    });
    this.#kinds = Uint8Array.from(parts, ({ kind }) =>
      kind === 'text' ? TEXT : kind === 'timestamp' ? TIMESTAMP : CONSTANT,
    );
    this.#nullable = Uint8Array.from(parts, (part) =>
      part.kind === 'timestamp' && part.nullable ? 1 : 0,
    );
    this.#texts = parts.map((part) => (part.kind === 'constant' ? Buffer.from(part.text) : NULL));
    this.#millis = new Float64Array(parts.length);
  }

  write(item: ReadRow, rows: JsonRows): boolean {
    const texts = this.#texts;
    const millis = this.#millis;
    const count = this.#kinds.length;
    let bytes = 0;
    for (let index = 0; index < count; index++) {
      const kind = this.#kinds[index];
      if (kind === CONSTANT) {
        bytes += (texts[index] as Uint8Array).length;
      } else if (kind === TEXT) {
        const text = item.utf8(this.#columns[index] as number);
        if (text === null) return false;
        texts[index] = text;
        bytes += typeof text === 'string' ? Buffer.byteLength(text) : text.length;
      } else {
        const ms = item.timestamp(this.#columns[index] as number);
        if (ms === null) {
          if (this.#nullable[index] === 0) return false;
          millis[index] = Number.NaN;
          bytes += NULL.length;
        } else {
          if (!hasIsoJson(ms)) return false;
          millis[index] = ms;
          bytes += ISO_JSON_BYTES;
        }
      }
    }
    const block = rows.reserve(bytes);
    let at = rows.reserved;
    for (let index = 0; index < count; index++) {
      if (this.#kinds[index] === TIMESTAMP) {
        const ms = millis[index] as number;
        if (Number.isNaN(ms)) {
          block.set(NULL, at);
          at += NULL.length;
        } else at = writeIsoJson(ms, block, at);
        continue;
      }
      const text = texts[index] as Uint8Array | string;
      if (typeof text === 'string') at += block.write(text, at);
      else {
        block.set(text, at);
        at += text.length;
      }
    }
    rows.commit(bytes);
    return true;
  }
}
