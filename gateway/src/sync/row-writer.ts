import type { ReadRow } from '../db/read-row';
import { hasIsoJson, ISO_JSON_BYTES, writeIsoJson } from './iso-json';
import type { JsonRows } from './json-rows';
import { PULL_COLUMN } from './pull-columns';
import type { RowPart } from './row-json';

const NULL = Buffer.from('null');

/** What a row's part is to its writer. */
const TEXT = 0;
const TIMESTAMP = 1;
const CONSTANT = 2;

/** Writes a row's parts (`RowPart`) one after the other into `JsonRows`. */
export class RowWriter {
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
