import { fillPlaceholders, type Query } from 'drizzle-orm';
import pg from 'pg';

/** A statement's text cut at its parameters: `pieces[i]`, parameter `params[i]`, ..., the last piece. */
interface CutText {
  pieces: string[];
  /** The index of each parameter, in `Query.params`, in the order they appear. */
  params: number[];
}

/** Texts cut, by statement: statements are rendered once (`renderSql`) and kept. */
const cuts = new WeakMap<Query, CutText | null>();

/**
 * The statement with its parameters written in as literals, for a statement that takes
 * none (a `COPY`); undefined when a value is not a string, number, bigint, boolean or null,
 * or when the text has a form of quoting this does not read.
 *
 * A literal is the very text node-postgres sends as the parameter (`String(value)`,
 * `escapeLiteral` quoted), so Postgres types it as it would type the parameter: as the
 * context asks (`'5'::xid8`, `"owner" = 'ann'`).
 */
export function inlineValues(query: Query, values: Record<string, unknown>): string | undefined {
  let cut = cuts.get(query);
  if (cut === undefined) {
    cut = cutText(query.sql);
    cuts.set(query, cut);
  }
  if (!cut) return undefined;
  const params = fillPlaceholders(query.params, values);
  let text = cut.pieces[0] as string;
  for (const [index, param] of cut.params.entries()) {
    const literal = literalOf(params[param]);
    if (literal === undefined) return undefined;
    text += literal + cut.pieces[index + 1];
  }
  return text;
}

function literalOf(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return pg.escapeLiteral(value);
    case 'number':
    case 'bigint':
    case 'boolean':
      return pg.escapeLiteral(String(value));
    default:
      return undefined;
  }
}

/**
 * The text cut at each `$n` outside quotes: `'...'` (a quote doubled inside) and `"..."`.
 * Null for text with other quoting (`E'...'`, `$tag$...$tag$`), which is read otherwise.
 */
function cutText(text: string): CutText | null {
  const pieces: string[] = [];
  const params: number[] = [];
  let from = 0;
  let at = 0;
  while (at < text.length) {
    const char = text[at] as string;
    if (char === "'" || char === '"') {
      const end = closingQuote(text, at);
      if (end < 0) return null;
      at = end + 1;
    } else if (char === '$') {
      const digits = /^\$(\d+)/.exec(text.slice(at, at + 12));
      if (!digits) return null;
      pieces.push(text.slice(from, at));
      params.push(Number(digits[1]) - 1);
      at += (digits[0] as string).length;
      from = at;
    } else if (
      (char === 'E' || char === 'e') &&
      text[at + 1] === "'" &&
      !/\w/.test(text[at - 1] ?? '')
    ) {
      return null;
    } else {
      at += 1;
    }
  }
  pieces.push(text.slice(from));
  return { pieces, params };
}

/** The index of the quote that closes the one at `start` (a doubled quote is inside), or -1. */
function closingQuote(text: string, start: number): number {
  const quote = text[start] as string;
  for (let at = text.indexOf(quote, start + 1); at >= 0; at = text.indexOf(quote, at + 1)) {
    if (text[at + 1] !== quote) return at;
    at += 1;
  }
  return -1;
}
