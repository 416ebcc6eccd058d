import type { ExecutionResult, GraphQLLeafType } from 'graphql';
import type { JsonRows } from '../sync/json-rows';
import { encode, type Piece } from './answer-bytes';
import { multipartBody, STREAM_FROM_BYTES, type StreamedRows } from './pull-stream';
import type { PullPageValue } from './table-types';

/** What a page answers, in the order selected: its rows, cursor, hasMore, movedOut. */
export type PagePart = 'rows' | 'cursor' | 'hasMore' | 'movedOut';

export interface PageSelection {
  /** The pull field's response key. */
  key: string;
  /** Whether the field answers a list of pages (`pull<Table>Pages`) rather than one. */
  list: boolean;
  /** The page's selections in order: response key, what it is, and its scalar. */
  parts: readonly { key: string; part: PagePart; type: GraphQLLeafType | null }[];
  /** Whether `rows` carries `@stream` (see pull-stream.ts). */
  stream: boolean;
}

/**
 * A compiled pull's result (compiled-pulls.ts). Its rows are JSON texts as Postgres wrote
 * them, in UTF-8 (`JsonRows`): `data` holds them joined, as text, for the plugins that read
 * results; the answer itself is `body` (bytes, for the JSON media types), `streamed` (for
 * `multipart/mixed`, when the rows were asked for with `@stream`) or `stringify` (text,
 * which Yoga uses instead of `JSON.stringify` when a result has one, for every other writer).
 */
export interface PullAnswer extends ExecutionResult {
  stringify(result: ExecutionResult): string;
  body(): Uint8Array<ArrayBuffer>;
  /** The answer with its rows streamed in parts; undefined when it goes whole (pull-stream.ts). */
  streamed(): Uint8Array<ArrayBuffer> | undefined;
}

export function pullAnswer(
  selection: PageSelection,
  pages: readonly PullPageValue<JsonRows>[],
): PullAnswer {
  const values = pages.map((page) => pageValues(selection, page));
  const pieces = dataPieces(selection, pages, true);
  return {
    data: { [selection.key]: selection.list ? values : values[0] },
    stringify({ data: _data, ...others }) {
      const bytes = encode(pieces);
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString();
      const rest = JSON.stringify(others).slice(1, -1);
      return `${text}${rest && `,${rest}`}}`;
    },
    body: () => encode([...pieces, '}']),
    streamed() {
      const bytes = pages.reduce((sum, page) => sum + page.rows.byteLength, 0);
      if (!selection.stream || bytes < STREAM_FROM_BYTES) return undefined;
      return multipartBody(dataPieces(selection, pages, false), streamedRows(selection, pages));
    },
  };
}

/** Every page's rows in parts, each with the path of its page's `rows`. */
function streamedRows(
  selection: PageSelection,
  pages: readonly PullPageValue<JsonRows>[],
): StreamedRows[] {
  const rowsKey = selection.parts.find((entry) => entry.part === 'rows')?.key;
  if (rowsKey === undefined) return [];
  return pages.flatMap((page, index) => {
    const path = selection.list ? [selection.key, index, rowsKey] : [selection.key, rowsKey];
    return page.rows.parts().map((part) => ({ path, part }));
  });
}

/** `{"data":{...}` of the answer, its rows in it or (`withRows` false) left for later parts. */
function dataPieces(
  selection: PageSelection,
  pages: readonly PullPageValue<JsonRows>[],
  withRows: boolean,
): Piece[] {
  // The answer in pieces: the rows as they came, the rest as JSON.
  const pieces: Piece[] = [`{"data":{${JSON.stringify(selection.key)}:`];
  if (selection.list) pieces.push('[');
  pages.forEach((page, index) => {
    if (index > 0) pieces.push(',');
    pieces.push('{');
    selection.parts.forEach(({ key, part, type }, at) => {
      pieces.push(`${at === 0 ? '' : ','}${JSON.stringify(key)}:`);
      if (part === 'rows') pieces.push('[', ...(withRows ? [page.rows] : []), ']');
      else pieces.push(JSON.stringify(partValue(page, part, type)));
    });
    pieces.push('}');
  });
  if (selection.list) pieces.push(']');
  pieces.push('}');
  return pieces;
}

/** One page's values for `data`. */
function pageValues(selection: PageSelection, page: PullPageValue<JsonRows>) {
  const values: Record<string, unknown> = {};
  for (const { key, part, type } of selection.parts) {
    if (part === 'rows') {
      // Made into text only if a plugin reads it.
      Object.defineProperty(values, key, { enumerable: true, get: () => page.rows.text() });
    } else {
      values[key] = partValue(page, part, type);
    }
  }
  return values;
}

function partValue(
  page: PullPageValue<JsonRows>,
  part: Exclude<PagePart, 'rows'>,
  type: GraphQLLeafType | null,
): unknown {
  return part === 'movedOut'
    ? page.movedOut.map((id) => type?.serialize(id))
    : type?.serialize(page[part]);
}

const JSON_TYPES = ['application/graphql-response+json', 'application/json'];

/**
 * The JSON media type Yoga answers a request with, as its own writer chooses it: the first
 * type of `Accept` (utf-8 only) that one of the two matches, `application/json` when both
 * do; undefined when neither does (then Yoga's choice stands).
 */
export function jsonMediaType(request: Request): string | undefined {
  const accepted = (request.headers.get('accept') || '*/*')
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .filter((entry) => {
      const charset = entry.split(';').find((param) => param.includes('charset='));
      return charset === undefined || charset === 'charset=utf-8';
    })
    .map((entry) => entry.split(';')[0] ?? '');
  for (const asked of accepted) {
    const [askedType, askedSubtype] = asked.split('/');
    const matching = JSON_TYPES.filter((type) => {
      const [main, sub] = type.split('/');
      return (
        (askedType === '*' || askedType === main) && (askedSubtype === '*' || askedSubtype === sub)
      );
    });
    if (matching.length) return matching.at(-1);
  }
  return undefined;
}
