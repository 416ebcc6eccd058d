import { describe, expect, it } from 'vitest';
import { BinaryCopyReader } from './binary-copy';

/** COPY's binary data for rows of text and 8-byte integers, as Postgres writes it. */
function copyData(rows: (string | bigint | null)[][]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int32(0), int32(0)];
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(row.length);
    parts.push(count);
    for (const value of row) {
      if (value === null) parts.push(int32(-1));
      else if (typeof value === 'bigint') {
        const bytes = Buffer.alloc(8);
        bytes.writeBigInt64BE(value);
        parts.push(int32(8), bytes);
      } else {
        const bytes = Buffer.from(value);
        parts.push(int32(bytes.length), bytes);
      }
    }
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

function int32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
}

const ROWS: (string | bigint | null)[][] = [
  ['{"id":"a","title":"é ✓ 漢"}', 17n, null],
  ['', -5n, 'x'],
  [`{"long":"${'y'.repeat(300)}"}`, 2n ** 53n + 1n, null],
  ['{}', 2n ** 63n - 1n, 'last'],
];

/** What the reader hands over, each row read as the pull reads it. */
function readAll(chunks: Buffer[]) {
  const rows: unknown[][] = [];
  const reader = new BinaryCopyReader((row) =>
    rows.push([row.text(0), row.utf8(0)?.length, row.integer(1), row.text(2)]),
  );
  for (const chunk of chunks) {
    // The connection reuses a chunk's memory: nothing may be kept from it.
    const reused = Buffer.from(chunk);
    reader.add(reused);
    reused.fill(0);
  }
  return { rows, ended: reader.ended };
}

describe('BinaryCopyReader', () => {
  const data = copyData(ROWS);
  const expected = ROWS.map(([json, position, text]) => [
    json,
    Buffer.byteLength(json as string),
    (position as bigint) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(position) : position,
    text,
  ]);

  it('reads rows whole from one chunk', () => {
    expect(readAll([data])).toEqual({ rows: expected, ended: true });
  });

  it('reads rows cut anywhere, in any number of chunks', () => {
    for (let cut = 1; cut < data.length; cut++) {
      const chunks = [data.subarray(0, cut), data.subarray(cut)];
      expect(readAll(chunks), `cut at ${cut}`).toEqual({ rows: expected, ended: true });
    }
    const bytes = [...data].map((byte) => Buffer.from([byte]));
    expect(readAll(bytes)).toEqual({ rows: expected, ended: true });
  });

  it('says the rows have not ended until their trailer comes', () => {
    expect(readAll([data.subarray(0, data.length - 2)]).ended).toBe(false);
  });

  it('reads timestamps as milliseconds since the epoch, floored', () => {
    const micros = (iso: string, extra: bigint) =>
      (BigInt(Date.parse(iso)) - BigInt(Date.UTC(2000, 0, 1))) * 1000n + extra;
    const times = [
      micros('2026-12-01T18:23:41.869Z', 999n),
      micros('1969-12-31T23:59:59.999Z', 1n),
      micros('0001-01-01T00:00:00.000Z', 0n),
      2n ** 63n - 1n,
      -(2n ** 63n),
      null,
    ];
    const read: (number | null)[] = [];
    const reader = new BinaryCopyReader((row) => read.push(row.timestamp(0)));
    reader.add(copyData(times.map((time) => [time])));
    expect(read).toEqual([
      Date.parse('2026-12-01T18:23:41.869Z'),
      Date.parse('1969-12-31T23:59:59.999Z'),
      Date.parse('0001-01-01T00:00:00.000Z'),
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      null,
    ]);
  });

  it('refuses data that is not binary COPY, and data after the trailer', () => {
    const reader = new BinaryCopyReader(() => {});
    expect(() => reader.add(Buffer.from('id\ttitle\n1\tone\n'.repeat(2)))).toThrow(/binary format/);
    const ended = new BinaryCopyReader(() => {});
    expect(() => ended.add(Buffer.concat([data, Buffer.from([0])]))).toThrow(/after the end/);
  });
});
