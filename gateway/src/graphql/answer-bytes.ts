import type { Bytes } from '../sync/json-rows';

/** A piece of an answer: text, or bytes copied as they are (rows as Postgres wrote them). */
export type Piece = string | Bytes;

export function byteLength(pieces: readonly Piece[]): number {
  let length = 0;
  for (const piece of pieces) {
    length += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.byteLength;
  }
  return length;
}

/** The pieces as UTF-8, in one buffer: the rows' bytes copied as they are. */
export function encode(pieces: readonly Piece[]): Uint8Array<ArrayBuffer> {
  const bytes = Buffer.allocUnsafe(byteLength(pieces));
  let at = 0;
  for (const piece of pieces) {
    at = typeof piece === 'string' ? at + bytes.write(piece, at) : piece.copyTo(bytes, at);
  }
  return bytes as Uint8Array<ArrayBuffer>;
}
