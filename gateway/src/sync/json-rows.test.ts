import { describe, expect, it } from 'vitest';
import { JsonRows } from './json-rows';

/** Rows of JSON text, some long enough to fill a block, some with characters of 2 to 4 bytes. */
const texts = Array.from({ length: 400 }, (_, n) =>
  JSON.stringify({ n, label: `${'é漢🎉'.repeat(n % 7)}${'x'.repeat(n % 5 === 0 ? 600 : 40)}` }),
);

function rowsOf(all: readonly string[]) {
  const rows = new JsonRows();
  for (const text of all) rows.add(text);
  return rows;
}

describe('JsonRows', () => {
  it('holds rows joined by commas in UTF-8, across blocks', () => {
    const rows = rowsOf(texts);
    const joined = texts.join(',');
    expect(rows.count).toBe(texts.length);
    expect(rows.byteLength).toBe(Buffer.byteLength(joined));
    expect(rows.text()).toBe(joined);
    expect(JSON.parse(`[${rows.text()}]`)).toEqual(texts.map((text) => JSON.parse(text)));
  });

  it('copies its bytes where it is told, and says where they end', () => {
    const rows = rowsOf(texts);
    const target = Buffer.alloc(rows.byteLength + 4, '-');
    expect(rows.copyTo(target, 2)).toBe(rows.byteLength + 2);
    expect(target.toString()).toBe(`--${texts.join(',')}--`);
  });

  it('keeps a row larger than a block whole', () => {
    const large = JSON.stringify({ text: '漢'.repeat(40_000) });
    const all = ['{"a":1}', large, '{"b":2}'];
    expect(rowsOf(all).text()).toBe(all.join(','));
  });

  it('is empty before any row', () => {
    const rows = new JsonRows();
    expect(rows.count).toBe(0);
    expect(rows.byteLength).toBe(0);
    expect(rows.text()).toBe('');
  });
});
