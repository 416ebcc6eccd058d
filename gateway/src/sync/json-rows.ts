/** Bytes of a page's rows are kept in blocks of this size (a row larger gets its own). */
const BLOCK_BYTES = 64 * 1024;
const COMMA = 0x2c;

/**
 * A page's rows as their JSON texts, joined by commas, in UTF-8: what a compiled pull sends
 * as it is. Each row's text is encoded as it comes and dropped, so that a page is a few
 * blocks of bytes rather than a thousand strings (or one string a third of a megabyte long,
 * which V8 allocates in fresh memory every time) for the garbage collector to go through.
 */
export class JsonRows {
  readonly #blocks: Buffer[] = [];
  /** Bytes written into the last block. */
  #used = 0;
  #count = 0;

  /** Rows added. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the rows, commas included. */
  get byteLength(): number {
    const full = this.#blocks.slice(0, -1).reduce((sum, block) => sum + block.length, 0);
    return full + this.#used;
  }

  add(text: string): void {
    const needed = Buffer.byteLength(text) + (this.#count > 0 ? 1 : 0);
    let block = this.#blocks.at(-1);
    if (!block || this.#used + needed > block.length) {
      if (block) this.#blocks[this.#blocks.length - 1] = block.subarray(0, this.#used);
      block = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, needed));
      this.#blocks.push(block);
      this.#used = 0;
    }
    if (this.#count > 0) block[this.#used++] = COMMA;
    this.#used += block.write(text, this.#used);
    this.#count += 1;
  }

  /** The page's rows: these (a projection's `PageRows`, see pull-projection.ts). */
  done(): JsonRows {
    return this;
  }

  /** Copies the bytes into `target` at `offset`; answers the offset after them. */
  copyTo(target: Uint8Array, offset: number): number {
    let at = offset;
    this.#blocks.forEach((block, index) => {
      const end = index === this.#blocks.length - 1 ? this.#used : block.length;
      target.set(block.subarray(0, end), at);
      at += end;
    });
    return at;
  }

  /** The rows joined, as text. */
  text(): string {
    const bytes = Buffer.allocUnsafe(this.byteLength);
    this.copyTo(bytes, 0);
    return bytes.toString('utf8');
  }
}
