import type { RowPart } from '../sync/json-rows';
import { byteLength, encode, type Piece } from './answer-bytes';

/**
 * A pull whose `rows` carry `@stream` (the client's does: `pullDocument` of @syncline/schema)
 * is answered, to a request that accepts `multipart/mixed`, as GraphQL's incremental
 * delivery: a first part with every page but none of its rows (`"rows":[]`, cursors and the
 * rest as always), then the rows in order, a hundred or two at a time (`PART_BYTES`), each part
 * `{"incremental":[{"items":[...],"path":[<field>,<page>,"rows",<first row>]}],"hasNext":...}`,
 * the last with `"hasNext":false`. That is what Yoga's executor answers for `@stream`, in
 * the framing of Yoga's own multipart writer, and urql puts the parts back together before
 * the client sees the answer.
 *
 * Why: a page of 1,000 rows is some 350 kB of JSON, ten of them 3.5 MB. A client that reads
 * that as one text allocates it, as V8 does any text over 128 kB, in fresh memory, which
 * the machine must map page by page: about a third of the client's time in `pnpm bench`.
 * Parts of 64 kB are decoded and parsed in memory that is used again and again.
 *
 * An answer whose rows are under `STREAM_FROM_BYTES` goes whole, as JSON, and so does any
 * to a request that does not name `multipart/mixed`: a server may deliver what `@stream`
 * asks for in one piece. (A small answer is one small text; two parts and their framing
 * cost a client more than they save, as a live client's pull of a row or two showed.)
 */
export const MULTIPART_TYPE = 'multipart/mixed; boundary="-"';

/** Rows of fewer bytes than this are answered whole: their text is no large object. */
export const STREAM_FROM_BYTES = 128 * 1024;

/** The parts of a streamed answer: where each run of rows goes. */
export interface StreamedRows {
  /** The path of the `rows` list the run belongs to: `[field, page, rows]`, or `[field, rows]`. */
  path: readonly (string | number)[];
  part: RowPart;
}

/** The whole `multipart/mixed` body: `first` (`{"data":...` without `hasNext`), then `rows`. */
export function multipartBody(
  first: readonly Piece[],
  rows: readonly StreamedRows[],
): Uint8Array<ArrayBuffer> {
  const pieces: Piece[] = ['\r\n---'];
  const add = (payload: readonly Piece[]) => {
    const length = byteLength(payload);
    pieces.push(
      `\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${length}\r\n\r\n`,
      ...payload,
      '\r\n---',
    );
  };
  add([...first, `,"hasNext":${rows.length > 0}}`]);
  rows.forEach(({ path, part }, index) => {
    const next = index + 1 < rows.length;
    const where = JSON.stringify([...path, part.first]);
    add(['{"incremental":[{"items":[', part, `],"path":${where}}],"hasNext":${next}}`]);
  });
  pieces.push('--\r\n');
  return encode(pieces);
}

/** Whether `Accept` names `multipart/mixed` itself (a wildcard gets JSON, as it always did). */
export function acceptsMultipart(request: Request): boolean {
  return (request.headers.get('accept') ?? '')
    .toLowerCase()
    .split(',')
    .some((entry) => entry.split(';')[0]?.trim() === 'multipart/mixed');
}
