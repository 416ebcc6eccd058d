/**
 * GraphQL answers as urql's fetch exchange reads them, for the clients that are not urql
 * (the benchmark's, the tests' harnesses): JSON, or `multipart/mixed` incremental delivery,
 * which the gateway answers for the client's pull (its rows carry `@stream`). The parts are
 * decoded and parsed one at a time as they arrive, as urql does, then put together.
 * Unlike urql, an answer whose last part never came is an error rather than a short answer.
 */

export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

interface Payload extends GraphQLAnswer {
  hasNext?: boolean;
  incremental?: {
    items?: unknown[];
    data?: Record<string, unknown>;
    path: (string | number)[];
    errors?: GraphQLAnswer['errors'];
  }[];
}

/** Where the items of a streamed list go instead of into the answer, if not there. */
export type OnItems = (path: readonly (string | number)[], items: unknown[]) => void;

/**
 * Reads a `fetch` answer: the parts of a multipart one as they arrive. With `onItems`, each
 * part's streamed items are handed to it as they come (with the path of their list and the
 * index of the first: `[..., 'rows', 250]`) and left out of the answer, so that a reader of
 * a long pull need not hold all of it at once.
 */
export async function readAnswer(response: Response, onItems?: OnItems): Promise<GraphQLAnswer> {
  const parts = multipartParts(response.headers.get('content-type'), onItems);
  if (!parts) return (await response.json()) as GraphQLAnswer;
  const reader = response.body?.getReader();
  for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
    parts.add(chunk.value);
  }
  return parts.answer();
}

/** Reads an answer already read as text, under its `content-type`. */
export function answerOfText(text: string, contentType: string | null): GraphQLAnswer {
  const parts = multipartParts(contentType);
  if (!parts) return JSON.parse(text) as GraphQLAnswer;
  parts.add(new TextEncoder().encode(text));
  return parts.answer();
}

const CR = 0x0d;

/**
 * A reader of the parts of a multipart answer; undefined for any other media type. It finds
 * the delimiters in the bytes (JSON has no raw line breaks: a `\r` is a header's or a
 * delimiter's), skipping a part's body by its `Content-Length` when it has one, and decodes
 * each part's JSON alone, so that no text is larger than a part.
 */
function multipartParts(contentType: string | null, onItems?: OnItems) {
  if (!contentType || !/multipart\/mixed/i.test(contentType)) return undefined;
  const boundary = /boundary="?([^=";]+)"?/i.exec(contentType)?.[1] ?? '-';
  const delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
  const decoder = new TextDecoder();
  let pending: Uint8Array = new Uint8Array(0);
  /** Where the part being read begins in `pending` (after its delimiter); -1 before any. */
  let part = -1;
  let answer: Payload | undefined;
  let done = false;
  const isDelimiter = (at: number) =>
    at + delimiter.length <= pending.length &&
    delimiter.every((byte, index) => pending[at + index] === byte);
  /** The next delimiter at or after `from`, or -1 if it has not all arrived. */
  const nextDelimiter = (from: number) => {
    for (let at = pending.indexOf(CR, from); at >= 0; at = pending.indexOf(CR, at + 1)) {
      if (isDelimiter(at)) return at;
    }
    return -1;
  };
  /**
   * Where the body of the part at `part` begins, and where its `Content-Length` says it
   * ends (-1 without one); undefined until its headers have all arrived.
   */
  const bodyOf = () => {
    // The headers end at an empty line.
    let body = part;
    while (body + 3 < pending.length && !(pending[body] === CR && pending[body + 2] === CR)) {
      body++;
    }
    if (body + 3 >= pending.length) return undefined;
    const headers = decoder.decode(pending.subarray(part, body));
    const length = /content-length:\s*(\d+)/i.exec(headers)?.[1];
    return { body: body + 4, sized: length === undefined ? -1 : body + 4 + Number(length) };
  };
  /** Reads the part at `part` if it has all arrived; answers whether it had. */
  const read = () => {
    // After the last delimiter comes `--`: the end.
    if (pending.length < part + 2) return false;
    if (pending[part] === 0x2d && pending[part + 1] === 0x2d) return false;
    const { body, sized } = bodyOf() ?? { body: -1, sized: -1 };
    if (body < 0) return false;
    const end = sized >= 0 && isDelimiter(sized) ? sized : nextDelimiter(body);
    if (end < 0) return false;
    const payload = JSON.parse(decoder.decode(pending.subarray(body, end))) as Payload;
    answer = answer ? merge(answer, payload, onItems) : payload;
    done = payload.hasNext === false;
    part = end + delimiter.length;
    return true;
  };
  return {
    add(chunk: Uint8Array) {
      let bytes = chunk;
      // A part begun in an earlier chunk, with its length: only the rest of it is copied.
      const sized = part >= 0 && pending.length > 0 && !done ? bodyOf()?.sized : undefined;
      const needed =
        sized === undefined || sized < 0 ? -1 : sized + delimiter.length - pending.length;
      if (needed > 0 && needed <= bytes.length) {
        pending = joined(pending, bytes.subarray(0, needed));
        read();
        pending = pending.subarray(part);
        part = 0;
        bytes = bytes.subarray(needed);
      }
      pending = pending.length === 0 ? bytes : joined(pending, bytes);
      if (part < 0) {
        const first = nextDelimiter(0);
        if (first < 0) return;
        part = first + delimiter.length;
      }
      let more = true;
      while (more && !done) more = read();
      // What is left is the part still arriving.
      pending = pending.subarray(part);
      part = 0;
    },
    answer(): GraphQLAnswer {
      if (!answer || !done) throw new Error('the answer ended before its last part');
      const { hasNext: _hasNext, incremental: _incremental, ...rest } = answer;
      return rest;
    },
  };
}

function joined(first: Uint8Array, second: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(first.length + second.length);
  bytes.set(first);
  bytes.set(second, first.length);
  return bytes;
}

/** `answer` with a later part's rows (`items`), fields (`data`) and errors added. */
function merge(answer: Payload, payload: Payload, onItems?: OnItems): Payload {
  for (const { items, data, path, errors } of payload.incremental ?? []) {
    if (errors) answer.errors = [...(answer.errors ?? []), ...errors];
    if (items && onItems) {
      onItems(path, items);
      continue;
    }
    // `items` go into the list at `path` from the index it ends with; `data` into the object.
    const steps = items ? path.slice(0, -1) : path;
    let target = answer.data as Record<string | number, unknown>;
    for (const step of steps) target = target[step] as Record<string | number, unknown>;
    if (items) (target as unknown as unknown[]).splice(Number(path.at(-1)), items.length, ...items);
    if (data) Object.assign(target, data);
  }
  if (payload.errors) answer.errors = [...(answer.errors ?? []), ...payload.errors];
  if (payload.hasNext !== undefined) answer.hasNext = payload.hasNext;
  return answer;
}
