import { describeSyncTable, todoItem } from '@syncline/schema';
import { describe, expect, it } from 'vitest';
import type { StoredRow } from '../types';
import { changedData, isResolution, mergeRows } from './conflicts';

const todo = describeSyncTable(todoItem);

const base: StoredRow = {
  id: 'a',
  version: 2,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  deleted: false,
  text: 'Check pump',
  complete: false,
  dueDate: null,
  userId: 'tech-1',
};

const at = (row: StoredRow, fields: Record<string, unknown>): StoredRow => ({ ...row, ...fields });

describe('mergeRows', () => {
  it("keeps the local and the server's changes when they touch different fields", () => {
    const local = at(base, { text: 'Check pump twice', updatedAt: '2026-01-05T00:00:00.000Z' });
    const server = at(base, { version: 3, complete: true, updatedAt: '2026-01-04T00:00:00.000Z' });
    expect(mergeRows({ base, local, server })).toEqual({
      row: at(server, { text: 'Check pump twice' }),
      overlapping: [],
    });
  });

  it("lists a field changed on both sides to different values, keeping the server's value", () => {
    const local = at(base, { text: 'mine', dueDate: '2026-02-01T00:00:00.000Z' });
    const server = at(base, { version: 3, text: 'theirs' });
    expect(mergeRows({ base, local, server })).toEqual({
      row: at(server, { dueDate: '2026-02-01T00:00:00.000Z' }),
      overlapping: ['text'],
    });
  });

  it('does not count the same change on both sides as overlapping', () => {
    const local = at(base, { complete: true, text: 'mine' });
    const server = at(base, { version: 3, complete: true });
    expect(mergeRows({ base, local, server })).toEqual({
      row: at(server, { text: 'mine' }),
      overlapping: [],
    });
  });

  it('compares JSON-like values by content', () => {
    const local = at(base, { tags: ['a', 'b'] });
    const server = at(base, { version: 3, tags: ['a', 'b'] });
    expect(mergeRows({ base: at(base, { tags: ['a'] }), local, server })?.overlapping).toEqual([]);
  });

  it("without a base, every local value that differs from the server's overlaps", () => {
    const local = at(base, { version: 0, text: 'made here', complete: false });
    const server = at(base, { version: 1, text: 'made there', complete: false });
    expect(mergeRows({ base: null, local, server })).toEqual({
      row: server,
      overlapping: ['text'],
    });
  });

  it('gives nothing to merge when the row is gone on either side', () => {
    const server = at(base, { version: 3 });
    expect(mergeRows({ base, local: null, server })).toBeUndefined();
    expect(mergeRows({ base, local: base, server: null })).toBeUndefined();
    expect(mergeRows({ base, local: base, server: at(server, { deleted: true }) })).toBeUndefined();
  });

  it("ignores system fields: they stay the server's", () => {
    const local = at(base, {
      version: 7,
      createdAt: 'local',
      updatedAt: 'local',
      deleted: true,
      id: 'other',
    });
    const server = at(base, { version: 3, updatedAt: '2026-01-03T00:00:00.000Z' });
    expect(mergeRows({ base, local, server })).toEqual({ row: server, overlapping: [] });
  });
});

describe('changedData', () => {
  it('lists the data columns that differ, or all of them without a row to compare to', () => {
    const row = at(base, { version: 9, text: 'new', complete: false, userId: 'someone' });
    expect(changedData(todo, row, base)).toEqual({ text: 'new' });
    expect(changedData(todo, row, null)).toEqual({
      text: 'new',
      complete: false,
      dueDate: null,
    });
  });

  it('sends a value set to null, and leaves out columns the row does not have', () => {
    const from = at(base, { dueDate: '2026-02-01T00:00:00.000Z' });
    expect(changedData(todo, { id: 'a', dueDate: null }, from)).toEqual({ dueDate: null });
    expect(changedData(todo, { id: 'a', complete: true }, base)).toEqual({ complete: true });
  });
});

describe('isResolution', () => {
  it('accepts the four actions, a merge only with a row', () => {
    for (const action of ['server-wins', 'client-wins', 'abort']) {
      expect(isResolution({ action })).toBe(true);
    }
    expect(isResolution({ action: 'merge', row: { text: 'x' } })).toBe(true);
    for (const value of [
      undefined,
      null,
      'server-wins',
      {},
      { action: 'merge' },
      { action: 'x' },
    ]) {
      expect(isResolution(value)).toBe(false);
    }
  });
});
