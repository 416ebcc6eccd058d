import { describe, expect, it } from 'vitest';
import { comparePositions, decodeCursor, encodeCursor } from './cursor';

describe('cursor', () => {
  it('round-trips a position, opaque to clients', () => {
    const position = { txid: 18446744073709551615n, seq: 42n };
    const cursor = encodeCursor('todoItem', position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('42');
    expect(decodeCursor('todoItem', cursor)).toEqual({ ok: true, position });
  });

  it('round-trips the end of a first pull in progress', () => {
    const position = { txid: 7n, seq: 42n };
    const firstPullEnd = { txid: 9n, seq: 1n };
    const cursor = encodeCursor('todoItem', position, firstPullEnd);
    expect(decodeCursor('todoItem', cursor)).toEqual({ ok: true, position, firstPullEnd });
    const plain = decodeCursor('todoItem', encodeCursor('todoItem', position));
    expect(plain).toEqual({ ok: true, position });
    expect('firstPullEnd' in plain).toBe(false);
  });

  it('refuses cursors of another table, and anything it did not make', () => {
    const cursor = encodeCursor('vehicleModel', { txid: 1n, seq: 1n });
    expect(decodeCursor('todoItem', cursor)).toEqual({
      ok: false,
      reason: 'is a cursor of table vehicleModel, not todoItem',
    });
    const forged = (text: string) => Buffer.from(text).toString('base64url');
    for (const bad of [
      '',
      '!!',
      'a'.repeat(300),
      forged('c1:todoItem:1'),
      forged('c2:todoItem:1:1'),
      forged('c1:todoItem:-1:1'),
      forged('c1:todoItem:1:1:1'),
      forged('c1:todoItem:1:1:1:1:1'),
      forged('c1:todoItem:1:1:x:1'),
      forged('c1:todoItem:1:1:18446744073709551616:1'),
      forged("c1:todoItem:1';--:1"),
      forged('c1:todoItem:18446744073709551616:1'),
      forged('c1:todoItem:1:9223372036854775808'),
    ]) {
      expect(decodeCursor('todoItem', bad).ok, bad).toBe(false);
    }
  });

  it('orders positions by transaction, then by sequence', () => {
    expect(comparePositions({ txid: 1n, seq: 9n }, { txid: 2n, seq: 1n })).toBe(-1);
    expect(comparePositions({ txid: 2n, seq: 2n }, { txid: 2n, seq: 1n })).toBe(1);
    expect(comparePositions({ txid: 2n, seq: 2n }, { txid: 2n, seq: 2n })).toBe(0);
  });
});
