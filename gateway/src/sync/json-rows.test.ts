import { describe, expect, it } from 'vitest';
import { type Bytes, JsonRows, PART_BYTES } from './json-rows';

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

  it('takes a row as its UTF-8 bytes as it takes its text', () => {
    const rows = new JsonRows();
    for (const text of texts) rows.add(Buffer.from(text));
    expect(rows.text()).toBe(texts.join(','));
    expect(rows.parts().map((part) => part.first)).toEqual(
      rowsOf(texts)
        .parts()
        .map((part) => part.first),
    );
  });

  it('is empty before any row', () => {
    const rows = new JsonRows();
    expect(rows.count).toBe(0);
    expect(rows.byteLength).toBe(0);
    expect(rows.text()).toBe('');
  });
});

describe('JsonRows in parts', () => {
  const bytesOf = (part: Bytes) => {
    const bytes = Buffer.alloc(part.byteLength);
    expect(part.copyTo(bytes, 0)).toBe(part.byteLength);
    return bytes.toString();
  };

  it('cuts the rows into runs of at most PART_BYTES, in order, each with its first row', () => {
    // About 300 kB of rows, some of 600 bytes, across blocks of 64 kB.
    const all = ['"n":', '"m":', '"o":', '"p":'].flatMap((key) =>
      texts.map((text) => text.replace('"n":', key)),
    );
    const rows = rowsOf(all);
    const parts = rows.parts();
    expect(parts.length).toBeGreaterThan(4);
    let next = 0;
    for (const part of parts) {
      expect(part.first).toBe(next);
      const text = bytesOf(part);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(PART_BYTES);
      const inPart = JSON.parse(`[${text}]`) as unknown[];
      expect(inPart).toEqual(all.slice(next, next + inPart.length).map((each) => JSON.parse(each)));
      next += inPart.length;
    }
    expect(next).toBe(all.length);
    // Full parts: the next row would not have fitted.
    parts.slice(0, -1).forEach((part, index) => {
      const following = all[parts[index + 1]?.first as number] as string;
      expect(part.byteLength + 1 + Buffer.byteLength(following)).toBeGreaterThan(PART_BYTES);
    });
  });

  it('gives a row larger than a part a part of its own, and no part without rows', () => {
    const large = JSON.stringify({ text: 'x'.repeat(PART_BYTES * 2) });
    const rows = rowsOf(['{"a":1}', large, '{"b":2}']);
    expect(rows.parts().map((part) => [part.first, bytesOf(part)])).toEqual([
      [0, '{"a":1}'],
      [1, large],
      [2, '{"b":2}'],
    ]);
    expect(new JsonRows().parts()).toEqual([]);
  });
});
