import type { ReadRow } from './read-row';

/**
 * The binary format of `COPY ... TO STDOUT (FORMAT binary)`, read as its bytes arrive
 * (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"): a header, then
 * each row as its column count and each column as its length (-1: null) and bytes, then a
 * count of -1. Each value is the bytes of its type's binary form: a text's UTF-8 as it is,
 * an `int8` or `xid8` as 8 bytes, big-endian.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** The signature, a 32-bit flags field and the length of the header extension that follows. */
const HEADER_BYTES = SIGNATURE.length + 8;
const END = -1;
/** A binary timestamp counts microseconds from 2000-01-01 UTC; `infinity` is the largest. */
const EPOCH_2000_MS = Date.UTC(2000, 0, 1);
const INFINITY = 2n ** 63n - 1n;
const NULL = -1;

/**
 * Reads a binary COPY's rows from its data as it comes, in chunks cut anywhere, handing each
 * row to `onRow` as it is complete (`BinaryRow`, valid during the call). A row cut short is
 * copied and kept for the next chunk: the connection reuses the memory of its chunks.
 */
export class BinaryCopyReader {
  readonly #row = new BinaryRow();
  #pending: Buffer | undefined;
  #headerRead = false;
  #ended = false;

  constructor(private readonly onRow: (row: ReadRow) => void) {}

  /** Whether the data has ended, with its trailer. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Reads the rows that `chunk` completes; throws on bytes that are not binary COPY. */
  add(chunk: Buffer): void {
    if (this.#ended) throw new Error('COPY: data after the end of its rows');
    const bytes = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = undefined;
    let at = this.#headerRead ? 0 : headerEnd(bytes);
    if (at < 0) {
      this.#pending = Buffer.from(bytes);
      return;
    }
    this.#headerRead = true;
    while (at < bytes.length) {
      const next = this.#row.read(bytes, at);
      if (next < 0) break;
      at = next;
      if (this.#row.columns === END) {
        this.#ended = true;
        if (at < bytes.length) throw new Error('COPY: data after the end of its rows');
        return;
      }
      this.onRow(this.#row);
    }
    if (at < bytes.length) this.#pending = Buffer.from(bytes.subarray(at));
  }
}

/** Where the rows begin after the header, or -1 when the header has not all arrived. */
function headerEnd(bytes: Buffer): number {
  if (bytes.length < HEADER_BYTES) return -1;
  if (!bytes.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
    throw new Error('COPY: the data is not in the binary format');
  }
  const end = HEADER_BYTES + bytes.readUInt32BE(SIGNATURE.length + 4);
  return end <= bytes.length ? end : -1;
}

/** The big-endian 32-bit integer at `at` (the callers know the bytes are there). */
function int32(bytes: Buffer, at: number): number {
  return (
    ((bytes[at] as number) << 24) |
    ((bytes[at + 1] as number) << 16) |
    ((bytes[at + 2] as number) << 8) |
    (bytes[at + 3] as number)
  );
}

/** A row of a binary COPY: where each column's bytes are in the chunk read. */
class BinaryRow implements ReadRow {
  /** The row's column count; `END` for the trailer. */
  columns = 0;
  #bytes: Buffer = SIGNATURE;
  readonly #starts: number[] = [];
  readonly #lengths: number[] = [];

  /** Reads the row at `at`; answers where it ends, or -1 when it has not all arrived. */
  read(bytes: Buffer, at: number): number {
    if (at + 2 > bytes.length) return -1;
    const columns = (((bytes[at] as number) << 24) >> 16) | (bytes[at + 1] as number);
    let next = at + 2;
    for (let column = 0; column < columns; column++) {
      if (next + 4 > bytes.length) return -1;
      const length = int32(bytes, next);
      next += 4;
      this.#starts[column] = next;
      this.#lengths[column] = length;
      if (length > 0) next += length;
    }
    if (next > bytes.length) return -1;
    this.columns = columns;
    this.#bytes = bytes;
    return next;
  }

  text(column: number): string | null {
    const length = this.#length(column);
    if (length === NULL) return null;
    const start = this.#starts[column] as number;
    return this.#bytes.toString('utf8', start, start + length);
  }

  utf8(column: number): Uint8Array | null {
    const length = this.#length(column);
    if (length === NULL) return null;
    const start = this.#starts[column] as number;
    return this.#bytes.subarray(start, start + length);
  }

  integer(column: number): number | bigint | null {
    const length = this.#length(column);
    const start = this.#starts[column] as number;
    if (length === NULL) return null;
    if (length === 4) return int32(this.#bytes, start);
    if (length !== 8) throw new Error(`COPY: column ${column} is not an integer`);
    const high = int32(this.#bytes, start);
    // Within ±2^53, the two halves make the number exactly.
    if (high < 0x200000 && high >= -0x200000) {
      return high * 0x100000000 + (int32(this.#bytes, start + 4) >>> 0);
    }
    return this.#bytes.readBigInt64BE(start);
  }

  timestamp(column: number): number | null {
    const micros = this.integer(column);
    if (micros === null) return null;
    if (typeof micros === 'bigint') {
      if (micros === INFINITY) return Number.POSITIVE_INFINITY;
      if (micros === -INFINITY - 1n) return Number.NEGATIVE_INFINITY;
      // Floored, as for a number below.
      const millis = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
      return Number(millis) + EPOCH_2000_MS;
    }
    return Math.floor(micros / 1000) + EPOCH_2000_MS;
  }

  #length(column: number): number {
    if (column >= this.columns) throw new Error(`COPY: the row has no column ${column}`);
    return this.#lengths[column] as number;
  }
}
