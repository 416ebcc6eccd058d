import { describe, expect, it } from 'vitest';
import { hasIsoJson, ISO_JSON_BYTES, writeIsoJson } from './iso-json';

const FIRST = Date.parse('0001-01-01T00:00:00.000Z');
const END = Date.parse('+010000-01-01T00:00:00.000Z');

function written(ms: number): string {
  const bytes = Buffer.alloc(ISO_JSON_BYTES + 4, 0x2a);
  expect(writeIsoJson(ms, bytes, 2)).toBe(2 + ISO_JSON_BYTES);
  return bytes.toString('latin1');
}

describe('writeIsoJson', () => {
  it('writes what JSON.stringify writes of the Date, at the offset it is given', () => {
    const instants = [0, -1, FIRST, END - 1, Date.parse('2000-02-29T23:59:59.999Z')];
    // Days in turn and out of order: the day last written is kept.
    for (let step = 0; step < 20_000; step++) {
      instants.push(Math.floor(FIRST + Math.random() * (END - FIRST)));
      instants.push(1_764_000_000_000 + step * 7_919_123);
    }
    for (const ms of instants) {
      expect(written(ms), String(ms)).toBe(`**${JSON.stringify(new Date(ms))}**`);
    }
  });

  it('knows the instants with a four-digit year', () => {
    expect([FIRST - 1, FIRST, END - 1, END].map(hasIsoJson)).toEqual([false, true, true, false]);
    expect([Number.NaN, Number.POSITIVE_INFINITY].map(hasIsoJson)).toEqual([false, false]);
  });
});
