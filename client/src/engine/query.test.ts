import { describeSyncTable, syncTable, todoItem } from '@syncline/schema';
import { jsonb, text } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { SyncInputError } from '../errors';
import type { AnyWhere, StoredRow } from '../types';
import { compareRows, indexRange, matchesWhere, normalizeWhere, sortSpec } from './query';

const todo = describeSyncTable(todoItem);
const note = describeSyncTable(syncTable('note', { title: text('title'), body: jsonb('body') }));

function row(id: string, fields: Record<string, unknown> = {}): StoredRow {
  return { id, version: 1, text: 'Check pump', complete: false, dueDate: null, ...fields };
}

/** The error `fn` throws, checked to be a SyncInputError. */
function inputError(fn: () => unknown): SyncInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SyncInputError);
    return error as SyncInputError;
  }
  throw new Error('expected a SyncInputError, nothing was thrown');
}

describe('normalizeWhere', () => {
  it('turns DateTime operands into ISO strings, also inside and/or', () => {
    const where = normalizeWhere(todo, {
      dueDate: { gte: new Date('2026-01-01T00:00:00Z'), in: ['2026-01-02T00:00:00+02:00'] },
      or: [{ createdAt: { lt: '2026-03-01' } }, { and: [{ text: { contains: 'pump' } }] }],
    });
    expect(where).toEqual({
      dueDate: { gte: '2026-01-01T00:00:00.000Z', in: ['2026-01-01T22:00:00.000Z'] },
      or: [
        { createdAt: { lt: '2026-03-01T00:00:00.000Z' } },
        { and: [{ text: { contains: 'pump' } }] },
      ],
    });
  });

  it('keeps system columns filterable and drops undefined and null operands', () => {
    expect(
      normalizeWhere(todo, { id: { in: ['a'] }, version: { gt: 2, eq: undefined, ne: null } }),
    ).toEqual({ id: { in: ['a'] }, version: { gt: 2 } });
  });

  it.each([
    [{ nope: { eq: 1 } }, 'where.nope', 'is not a filterable column of todoItem'],
    [{ userId: { eq: 'me' } }, 'where.userId', 'is not a filterable column of todoItem'],
    [{ deleted: { eq: true } }, 'where.deleted', 'is not a filterable column'],
    [{ text: { like: 'a' } }, 'where.text.like', 'is not an operator'],
    [{ text: { eq: 5 } }, 'where.text.eq', 'must be a string'],
    [{ version: { in: 3 } }, 'where.version.in', 'must be an array'],
    [{ version: { in: [1, 'two'] } }, 'where.version.in[1]', 'must be a 32-bit integer'],
    [{ dueDate: { gt: 'soon' } }, 'where.dueDate.gt', 'must be a Date or an ISO 8601'],
    [{ complete: { isNull: 'yes' } }, 'where.complete.isNull', 'must be true or false'],
    [{ or: { text: { eq: 'a' } } }, 'where.or', 'must be an array'],
    [{ or: [{ text: { eq: 'a' } }, { text: { eq: 1 } }] }, 'where.or[1].text.eq', 'string'],
    [{ and: [{ or: [{ complete: { eq: 'no' } }] }] }, 'where.and[0].or[0].complete.eq', 'true'],
  ])('refuses %j, naming %s', (where, field, problem) => {
    const error = inputError(() => normalizeWhere(todo, where as AnyWhere));
    expect(error.field).toBe(field);
    expect(error.message).toContain(`${field}: `);
    expect(error.message).toContain(problem);
  });

  it('refuses json columns and starts the path where it is told', () => {
    const error = inputError(() => normalizeWhere(note, { body: { eq: {} } }, 'note.find.where'));
    expect(error.message).toBe('note.find.where.body: is not a filterable column of note');
  });

  // The gateway's BooleanFilter has only eq/ne/isNull and only StringFilter has `contains`.
  it('refuses operators the column kind does not have, as the gateway does', () => {
    expect(() => normalizeWhere(todo, { version: { contains: '1' } })).toThrow(SyncInputError);
    expect(() => normalizeWhere(todo, { complete: { lt: true } })).toThrow(SyncInputError);
    expect(() => normalizeWhere(todo, { complete: { in: [true] } })).toThrow(SyncInputError);
  });

  it('treats a null column filter as no condition, as the gateway does', () => {
    expect(normalizeWhere(todo, { text: null })).toEqual({});
  });
});

describe('matchesWhere', () => {
  const pump = row('a', { text: 'Check pump', version: 3, dueDate: '2026-01-05T00:00:00.000Z' });
  const valve = row('b', { text: 'Replace valve', complete: true });
  const bare = { id: 'c', version: 1 };
  const ids = (where: AnyWhere) =>
    [pump, valve, bare].filter((r) => matchesWhere(r, where)).map((r) => r.id);

  it('eq, ne (null and missing values match ne), in', () => {
    expect(ids({ complete: { eq: false } })).toEqual(['a']);
    expect(ids({ complete: { ne: true } })).toEqual(['a', 'c']);
    expect(ids({ dueDate: { ne: '2026-01-05T00:00:00.000Z' } })).toEqual(['b', 'c']);
    expect(ids({ version: { in: [1, 2] } })).toEqual(['b', 'c']);
    expect(ids({ version: { in: [] } })).toEqual([]);
  });

  it('contains is a case-sensitive substring and never matches null', () => {
    expect(ids({ text: { contains: 'pump' } })).toEqual(['a']);
    expect(ids({ text: { contains: 'Pump' } })).toEqual([]);
    expect(ids({ text: { contains: '' } })).toEqual(['a', 'b']);
  });

  it('lt, lte, gt, gte compare values and never match null', () => {
    expect(ids({ version: { gt: 1 } })).toEqual(['a']);
    expect(ids({ version: { gte: 1, lt: 3 } })).toEqual(['b', 'c']);
    expect(ids({ version: { lte: 3 } })).toEqual(['a', 'b', 'c']);
    expect(ids({ dueDate: { lt: '2027-01-01T00:00:00.000Z' } })).toEqual(['a']);
    expect(ids({ dueDate: { gt: '2000-01-01T00:00:00.000Z' } })).toEqual(['a']);
    expect(ids({ text: { gte: 'D' } })).toEqual(['b']);
  });

  it('isNull matches null and missing values', () => {
    expect(ids({ dueDate: { isNull: true } })).toEqual(['b', 'c']);
    expect(ids({ dueDate: { isNull: false } })).toEqual(['a']);
  });

  it('and/or nest; an empty or matches everything, an empty and too', () => {
    expect(ids({ or: [{ version: { eq: 3 } }, { complete: { eq: true } }] })).toEqual(['a', 'b']);
    expect(
      ids({
        complete: { ne: true },
        or: [{ and: [{ version: { gte: 1 } }, { text: { isNull: true } }] }, { id: { eq: 'a' } }],
      }),
    ).toEqual(['a', 'c']);
    expect(ids({ or: [] })).toEqual(['a', 'b', 'c']);
    expect(ids({ and: [] })).toEqual(['a', 'b', 'c']);
    expect(ids({ and: [{ or: [] }, { version: { eq: 9 } }] })).toEqual([]);
  });
});

describe('sortSpec and compareRows', () => {
  const rows = [
    row('d', { text: 'b', dueDate: '2026-02-01T00:00:00.000Z' }),
    row('c', { text: 'a', dueDate: null }),
    row('a', { text: 'b', dueDate: null }),
    row('b', { text: 'a', dueDate: '2026-01-01T00:00:00.000Z' }),
  ];
  const sorted = (orderBy: unknown) =>
    [...rows].sort(compareRows(sortSpec(todo, orderBy))).map((r) => r.id);

  it('reads one key or several, checking columns and directions', () => {
    expect(sortSpec(todo, undefined)).toEqual([]);
    expect(sortSpec(todo, [{ text: 'asc', version: 'desc' }, { userId: 'asc' }])).toEqual([
      ['text', 'asc'],
      ['version', 'desc'],
      ['userId', 'asc'],
    ]);
    expect(inputError(() => sortSpec(todo, { nope: 'asc' })).field).toBe('orderBy.nope');
    expect(inputError(() => sortSpec(todo, { text: 'up' })).message).toBe(
      "orderBy.text: must be 'asc' or 'desc'",
    );
  });

  it('sorts ascending with nulls first, descending with nulls last, ties by id', () => {
    expect(sorted(undefined)).toEqual(['a', 'b', 'c', 'd']);
    expect(sorted({ dueDate: 'asc' })).toEqual(['a', 'c', 'b', 'd']);
    expect(sorted({ dueDate: 'desc' })).toEqual(['d', 'b', 'a', 'c']);
    expect(sorted({ text: 'desc' })).toEqual(['a', 'd', 'b', 'c']);
  });

  it('uses later keys to break ties of earlier ones', () => {
    expect(sorted([{ text: 'asc' }, { dueDate: 'desc' }])).toEqual(['b', 'c', 'd', 'a']);
    expect(sorted({ text: 'asc', dueDate: 'asc' })).toEqual(['c', 'b', 'a', 'd']);
  });
});

describe('indexRange', () => {
  const indexed = new Set(['text', 'dueDate']);

  it('uses an eq on an indexed column, before any range', () => {
    expect(indexRange(indexed, { dueDate: { gt: 'x' }, text: { eq: 'a', lt: 'z' } })).toEqual({
      index: 'text',
      range: { lower: 'a', upper: 'a' },
    });
  });

  it('turns gt/gte/lt/lte into bounds, open for gt and lt', () => {
    expect(indexRange(indexed, { text: { gt: 'a', lte: 'm' } })).toEqual({
      index: 'text',
      range: { lower: 'a', lowerOpen: true, upper: 'm', upperOpen: false },
    });
    expect(indexRange(indexed, { dueDate: { gte: '2026' } })).toEqual({
      index: 'dueDate',
      range: { lower: '2026', lowerOpen: false },
    });
    expect(indexRange(indexed, { dueDate: { lt: '2027' } })).toEqual({
      index: 'dueDate',
      range: { upper: '2027', upperOpen: true },
    });
  });

  it('ignores columns without an index, other operators and nested conditions', () => {
    expect(indexRange(indexed, { version: { eq: 1 }, complete: { eq: true } })).toBeUndefined();
    expect(indexRange(indexed, { text: { contains: 'a', ne: 'b', in: ['c'] } })).toBeUndefined();
    expect(indexRange(indexed, { or: [{ text: { eq: 'a' } }] })).toBeUndefined();
    expect(indexRange(indexed, { version: { eq: 1 }, text: { gte: 'k' } })).toEqual({
      index: 'text',
      range: { lower: 'k', lowerOpen: false },
    });
  });
});
