/** Bytes of a page's rows are kept in blocks of this size (a row larger gets its own). */
const BLOCK_BYTES = 64 * 1024;
/**
 * A streamed answer sends a page's rows in parts of at most this many bytes (a row larger
 * is a part of its own): a client then decodes and parses texts small enough for V8's young
 * generation, where a text over 128 kB is a large object, in fresh memory every time (64 kB
 * of UTF-8 make at most 128 kB of text, and that only when one character past U+00FF makes
 * the whole text two bytes a character). Each part is a parse of its own: the bench's
 * client read parts of 16 kB more slowly than larger ones.
 */
export const PART_BYTES = 64 * 1024;
const COMMA = 0x2c;

/** Something that copies its bytes into a buffer: `JsonRows`, or a part of them. */
export interface Bytes {
  readonly byteLength: number;
  /** Copies the bytes into `target` at `offset`; answers the offset after them. */
  copyTo(target: Uint8Array, offset: number): number;
}

/** A run of a page's rows, for a part of a streamed answer. */
export interface RowPart extends Bytes {
  /** The index of its first row in the page. */
  readonly first: number;
}

/**
 * A page's rows as their JSON texts, joined by commas, in UTF-8: what a compiled pull sends
 * as it is. Each row's text is encoded as it comes and dropped, so that a page is a few
 * blocks of bytes rather than a thousand strings (or one string a third of a megabyte long,
 * which V8 allocates in fresh memory every time) for the garbage collector to go through.
 */
export class JsonRows implements Bytes {
  readonly #blocks: Buffer[] = [];
  /** Bytes written into the last block. */
  #used = 0;
  /** Where the row `reserve` made room for begins in the last block. */
  #reserved = 0;
  #count = 0;
  #length = 0;
  /** Where each part after the first begins: its first row, and that row's first byte. */
  readonly #cuts: { row: number; at: number }[] = [];

  /** Rows added. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the rows, commas included. */
  get byteLength(): number {
    return this.#length;
  }

  /** Adds a row's JSON, its text or its UTF-8 bytes (copied). */
  add(json: string | Uint8Array): void {
    const bytes = typeof json === 'string' ? Buffer.byteLength(json) : json.byteLength;
    const block = this.reserve(bytes);
    if (typeof json === 'string') block.write(json, this.reserved);
    else block.set(json, this.reserved);
    this.commit(bytes);
  }

  /**
   * Room for the next row's JSON, `bytes` long: the block to write it into, at `reserved`.
   * `commit` adds the row written there.
   */
  reserve(bytes: number): Buffer {
    const comma = this.#count > 0 ? 1 : 0;
    let block = this.#blocks.at(-1);
    if (!block || this.#used + comma + bytes > block.length) {
      if (block) this.#blocks[this.#blocks.length - 1] = block.subarray(0, this.#used);
      block = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, comma + bytes));
      this.#blocks.push(block);
      this.#used = 0;
    }
    if (comma) block[this.#used] = COMMA;
    this.#reserved = this.#used + comma;
    return block;
  }

  /** Where `reserve`'s block has room for the row. */
  get reserved(): number {
    return this.#reserved;
  }

  /** Adds the row of `bytes` written where `reserve` made room. */
  commit(bytes: number): void {
    const comma = this.#count > 0 ? 1 : 0;
    const start = this.#length + comma;
    const partStart = this.#cuts.at(-1)?.at ?? 0;
    if (comma && start + bytes - partStart > PART_BYTES) {
      this.#cuts.push({ row: this.#count, at: start });
    }
    this.#used = this.#reserved + bytes;
    this.#length = start + bytes;
    this.#count += 1;
  }

  /** The page's rows: these (a projection's `PageRows`, see pull-projection.ts). */
  done(): JsonRows {
    return this;
  }

  copyTo(target: Uint8Array, offset: number): number {
    return this.#copy(target, offset, 0, this.#length);
  }

  /**
   * The rows in runs of at most `PART_BYTES` (a longer row alone), joined by commas within
   * a run; none when there are no rows.
   */
  parts(): RowPart[] {
    if (this.#count === 0) return [];
    const starts = [{ row: 0, at: 0 }, ...this.#cuts];
    return starts.map(({ row, at }, index) => {
      // A part ends before the comma that comes ahead of the next part's first row.
      const end = index + 1 < starts.length ? (starts[index + 1]?.at as number) - 1 : this.#length;
      return {
        first: row,
        byteLength: end - at,
        copyTo: (target, offset) => this.#copy(target, offset, at, end),
      };
    });
  }

  /** The rows joined, as text. */
  text(): string {
    const bytes = Buffer.allocUnsafe(this.byteLength);
    this.copyTo(bytes, 0);
    return bytes.toString('utf8');
  }

  /** Copies bytes `from` to `to` of the rows into `target` at `offset`. */
  #copy(target: Uint8Array, offset: number, from: number, to: number): number {
    let at = offset;
    let blockStart = 0;
    this.#blocks.forEach((block, index) => {
      const blockEnd = blockStart + (index === this.#blocks.length - 1 ? this.#used : block.length);
      const start = Math.max(from, blockStart);
      const end = Math.min(to, blockEnd);
      if (start < end) {
        target.set(block.subarray(start - blockStart, end - blockStart), at);
        at += end - start;
      }
      blockStart = blockEnd;
    });
    return at;
  }
}
