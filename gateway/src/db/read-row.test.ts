import { describe, expect, it } from 'vitest';
import { timestampOfText, ValuesRow } from './read-row';

describe('timestampOfText', () => {
  it('reads a timestamp as Postgres writes it, with or without an offset', () => {
    expect(timestampOfText('2026-12-01 18:23:41.869+00')).toBe(
      Date.parse('2026-12-01T18:23:41.869Z'),
    );
    expect(timestampOfText('2026-12-01 18:23:41.8696+02')).toBe(
      Date.parse('2026-12-01T16:23:41.869Z'),
    );
    expect(timestampOfText('2026-12-01 18:23:41-05:30')).toBe(
      Date.parse('2026-12-01T23:53:41.000Z'),
    );
    expect(timestampOfText('0001-01-01 00:00:00')).toBe(Date.parse('0001-01-01T00:00:00.000Z'));
    expect(timestampOfText('2026-05-01 08:30:00.5')).toBe(Date.parse('2026-05-01T08:30:00.500Z'));
    expect(timestampOfText('infinity')).toBe(Number.POSITIVE_INFINITY);
    expect(timestampOfText('-infinity')).toBe(Number.NEGATIVE_INFINITY);
    expect(timestampOfText('0044-03-15 12:00:00+00 BC')).toBeNaN();
  });
});

describe('ValuesRow', () => {
  it('reads values a driver parsed', () => {
    const row = new ValuesRow();
    row.values = [null, '9007199254740993', 7, new Date(5), '2026-12-01 18:23:41.869+00', 'text'];
    expect(row.text(0)).toBeNull();
    expect(row.integer(1)).toBe(9007199254740993n);
    expect(row.integer(2)).toBe(7);
    expect(row.timestamp(3)).toBe(5);
    expect(row.timestamp(4)).toBe(Date.parse('2026-12-01T18:23:41.869Z'));
    expect(row.utf8(5)).toBe('text');
  });
});
