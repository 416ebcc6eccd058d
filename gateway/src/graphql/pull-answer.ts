import type { ExecutionResult, GraphQLLeafType } from 'graphql';
import type { JsonRows } from '../sync/json-rows';
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
}

/**
 * A compiled pull's result (compiled-pulls.ts). Its rows are JSON texts as Postgres wrote
 * them, in UTF-8 (`JsonRows`): `data` holds them joined, as text, for the plugins that read
 * results; the answer itself is `body` (bytes, for the JSON media types) or `stringify`
 * (text, which Yoga uses instead of `JSON.stringify` when a result has one, for every other
 * writer).
 */
export interface PullAnswer extends ExecutionResult {
  stringify(result: ExecutionResult): string;
  body(): Uint8Array<ArrayBuffer>;
}

export function pullAnswer(
  selection: PageSelection,
  pages: readonly PullPageValue<JsonRows>[],
): PullAnswer {
  // The answer in pieces: the rows as they came, the rest as JSON.
  const pieces: (string | JsonRows)[] = [`{"data":{${JSON.stringify(selection.key)}:`];
  if (selection.list) pieces.push('[');
  const values = pages.map((page, index) => {
    if (index > 0) pieces.push(',');
    return pageAnswer(selection, page, pieces);
  });
  if (selection.list) pieces.push(']');
  pieces.push('}');
  return {
    data: { [selection.key]: selection.list ? values : values[0] },
    stringify({ data: _data, ...others }) {
      const text = pieces.map((piece) => (typeof piece === 'string' ? piece : piece.text()));
      const rest = JSON.stringify(others).slice(1, -1);
      return `${text.join('')}${rest && `,${rest}`}}`;
    },
    body: () => encode([...pieces, '}']),
  };
}

/** One page's pieces, added to `pieces`; answers the page's values for `data`. */
function pageAnswer(
  selection: PageSelection,
  page: PullPageValue<JsonRows>,
  pieces: (string | JsonRows)[],
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  pieces.push('{');
  selection.parts.forEach(({ key, part, type }, index) => {
    pieces.push(`${index === 0 ? '' : ','}${JSON.stringify(key)}:`);
    if (part === 'rows') {
      // Made into text only if a plugin reads it.
      Object.defineProperty(values, key, { enumerable: true, get: () => page.rows.text() });
      pieces.push('[', page.rows, ']');
      return;
    }
    const value =
      part === 'movedOut'
        ? page.movedOut.map((id) => type?.serialize(id))
        : type?.serialize(page[part]);
    values[key] = value;
    pieces.push(JSON.stringify(value));
  });
  pieces.push('}');
  return values;
}

/** The pieces as UTF-8, in one buffer: the rows' bytes copied as they are. */
function encode(pieces: readonly (string | JsonRows)[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const piece of pieces) {
    length += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.byteLength;
  }
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  for (const piece of pieces) {
    at = typeof piece === 'string' ? at + bytes.write(piece, at) : piece.copyTo(bytes, at);
  }
  return bytes as Uint8Array<ArrayBuffer>;
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
