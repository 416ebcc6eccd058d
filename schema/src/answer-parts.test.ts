import { describe, expect, it } from 'vitest';
import { answerOfText, readAnswer } from './answer-parts';

const MULTIPART = 'multipart/mixed; boundary="-"';

/** A multipart answer framed as the gateway and Yoga write it. */
function multipart(payloads: readonly object[], sized = true): string {
  const parts = payloads.map((payload) => {
    const json = JSON.stringify(payload);
    const length = sized ? `\r\nContent-Length: ${Buffer.byteLength(json)}` : '';
    return `\r\nContent-Type: application/json; charset=utf-8${length}\r\n\r\n${json}\r\n---`;
  });
  return `\r\n---${parts.join('')}--\r\n`;
}

const streamed = multipart([
  {
    data: {
      pull: [
        { rows: [], cursor: 'c1' },
        { rows: [], cursor: 'c2' },
      ],
    },
    hasNext: true,
  },
  {
    incremental: [{ items: [{ id: 'a' }, { id: 'b' }], path: ['pull', 0, 'rows', 0] }],
    hasNext: true,
  },
  {
    incremental: [{ items: [{ id: 'c', text: 'é, 漢 and 🎉' }], path: ['pull', 0, 'rows', 2] }],
    hasNext: true,
  },
  { incremental: [{ items: [{ id: 'd' }], path: ['pull', 1, 'rows', 0] }], hasNext: false },
]);
const whole = {
  data: {
    pull: [
      { rows: [{ id: 'a' }, { id: 'b' }, { id: 'c', text: 'é, 漢 and 🎉' }], cursor: 'c1' },
      { rows: [{ id: 'd' }], cursor: 'c2' },
    ],
  },
};

/** A response whose body arrives in chunks of `size` bytes. */
function chunked(text: string, size: number): Response {
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += size)
        controller.enqueue(bytes.slice(at, at + size));
      controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': MULTIPART } });
}

describe('reading answers as urql does', () => {
  it('reads JSON as JSON', async () => {
    const json = new Response(JSON.stringify(whole), {
      headers: { 'content-type': 'application/json' },
    });
    expect(await readAnswer(json)).toEqual(whole);
    expect(answerOfText(JSON.stringify(whole), 'application/graphql-response+json')).toEqual(whole);
  });

  it('puts the parts of a multipart answer together, however its bytes were cut', async () => {
    expect(answerOfText(streamed, MULTIPART)).toEqual(whole);
    // Cuts inside delimiters, headers and characters of several bytes alike.
    for (const size of [1, 2, 3, 5, 7, 16, 64, 1000]) {
      expect(await readAnswer(chunked(streamed, size)), `chunks of ${size}`).toEqual(whole);
    }
    // Parts without a length are found by their delimiters.
    const unsized = multipart(
      JSON.parse(
        `[${streamed
          .split('\r\n---')
          .slice(1, -1)
          .map((part) => part.slice(part.indexOf('\r\n\r\n') + 4))
          .join(',')}]`,
      ),
      false,
    );
    expect(unsized).not.toContain('Content-Length');
    for (const size of [1, 5, 64]) expect(await readAnswer(chunked(unsized, size))).toEqual(whole);
  });

  it('hands streamed items to onItems, as they come, rather than keeping them', async () => {
    const seen: [string, unknown[]][] = [];
    const answer = await readAnswer(chunked(streamed, 7), (path, items) =>
      seen.push([path.join('.'), items]),
    );
    expect(answer).toEqual({
      data: {
        pull: [
          { rows: [], cursor: 'c1' },
          { rows: [], cursor: 'c2' },
        ],
      },
    });
    expect(seen).toEqual([
      ['pull.0.rows.0', [{ id: 'a' }, { id: 'b' }]],
      ['pull.0.rows.2', [{ id: 'c', text: 'é, 漢 and 🎉' }]],
      ['pull.1.rows.0', [{ id: 'd' }]],
    ]);
  });

  it('refuses an answer whose last part never came', async () => {
    const cut = streamed.slice(0, streamed.lastIndexOf('\r\nContent-Type'));
    expect(() => answerOfText(cut, MULTIPART)).toThrow(/ended before its last part/);
    await expect(readAnswer(chunked(cut, 10))).rejects.toThrow(/ended before its last part/);
  });

  it('keeps the errors of every part', () => {
    const error = { message: 'no', path: ['pull', 1, 'rows', 0] };
    const text = multipart([
      { data: { pull: [{ rows: [] }] }, hasNext: true },
      {
        incremental: [{ items: [null], path: ['pull', 0, 'rows', 0], errors: [error] }],
        hasNext: false,
      },
    ]);
    expect(answerOfText(text, MULTIPART)).toEqual({
      data: { pull: [{ rows: [null] }] },
      errors: [error],
    });
  });
});
