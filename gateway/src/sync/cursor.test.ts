import { describe, expect, it } from 'vitest';
import {
  comparePositions,
  decodePosition,
  decodePullCursor,
  encodePosition,
  encodePullCursor,
  type PullCursor,
} from './cursor';
import { MAX_IN_PROGRESS, mayMissUpTo } from './snapshot';

const forged = (text: string) => Buffer.from(text).toString('base64url');

describe('pull cursors', () => {
  it('round-trip the snapshots and the position of a pull, opaque to clients', () => {
    const cursors: PullCursor[] = [
      { seen: null, upto: null, after: null },
      { seen: { xmin: 740n, xmax: 745n, xip: [740n, 743n] }, upto: null, after: null },
      {
        seen: { xmin: 740n, xmax: 740n, xip: [] },
        upto: { xmin: 18446744073709551000n, xmax: 18446744073709551615n, xip: [] },
        after: { txid: 18446744073709551001n, seq: 42n },
      },
    ];
    for (const cursor of cursors) {
      const text = encodePullCursor('todoItem', cursor);
      expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodePullCursor('todoItem', text)).toEqual({ ok: true, cursor });
    }
  });

  it('stay small with many transactions in progress, by seeing less', () => {
    const xip = Array.from({ length: 200 }, (_, i) => 1_000_000n + BigInt(i) * 7n);
    const seen = { xmin: 1_000_000n, xmax: 1_002_000n, xip };
    const text = encodePullCursor('todoItem', { seen, upto: null, after: null });
    expect(text.length).toBeLessThan(400);
    const decoded = decodePullCursor('todoItem', text);
    if (!decoded.ok) throw new Error(decoded.reason);
    // The transactions left out, and everything after the first of them, count as not seen.
    expect(decoded.cursor.seen).toEqual({
      xmin: seen.xmin,
      xmax: xip[MAX_IN_PROGRESS],
      xip: xip.slice(0, MAX_IN_PROGRESS),
    });
  });

  it('read a position cursor of before as everything sent up to its position', () => {
    const legacy = encodePosition('todoItem', { txid: 900n, seq: 12n });
    expect(decodePullCursor('todoItem', legacy)).toEqual({
      ok: true,
      cursor: {
        seen: { xmin: 900n, xmax: 900n, xip: [] },
        upto: null,
        after: { txid: 900n, seq: 12n },
      },
    });
    // The start: nothing sent.
    expect(decodePullCursor('todoItem', encodePosition('todoItem', { txid: 0n, seq: 0n }))).toEqual(
      { ok: true, cursor: { seen: null, upto: null, after: null } },
    );
    // The end of a first pull in progress (briefly written): its position counts.
    expect(decodePullCursor('todoItem', forged('c1:todoItem:900:12:950:1'))).toMatchObject({
      ok: true,
      cursor: { after: { txid: 900n, seq: 12n } },
    });
  });

  it('refuse cursors of another table, and anything this gateway did not make', () => {
    const other = encodePullCursor('vehicleModel', { seen: null, upto: null, after: null });
    expect(decodePullCursor('todoItem', other)).toEqual({
      ok: false,
      reason: 'is a cursor of table vehicleModel, not todoItem',
    });
    for (const bad of [
      '',
      '!!',
      'a'.repeat(2000),
      forged('c1:todoItem:1'),
      forged('c1:todoItem:-1:1'),
      forged('c1:todoItem:1:1:1'),
      forged("c1:todoItem:1';--:1"),
      forged('c1:todoItem:18446744073709551616:1'),
      forged('c1:todoItem:1:9223372036854775808'),
      forged('c2:todoItem:-:-'),
      forged('c2:todoItem:5:-:-:-'),
      forged('c2:todoItem:5.x:-:-'),
      forged('c2:todoItem:5:-:-'), // a snapshot needs xmin and xmax
      forged('c2:todoItem:0.1:-:-'), // xmin starts at 1
      forged('c2:todoItem:5.3.7:-:-'), // in progress beyond xmax
      forged('c2:todoItem:5.3.2.1:-:-'), // in progress out of order
      forged('c2:todoItem:5.3:5.3:-'), // paging needs a position
      forged('c2:todoItem:5.3:-:5.1'), // and a window
      forged('c2:todoItem:5.3:5.3:5.1.1'),
      forged(`c2:todoItem:5.100.${Array.from({ length: 17 }, (_, i) => i).join('.')}:-:-`),
      forged('c2:todoItem:18446744073709551615.1:-:-'),
    ]) {
      expect(decodePullCursor('todoItem', bad).ok, bad).toBe(false);
    }
  });
});

describe('change positions', () => {
  it('round-trip in hints', () => {
    const position = { txid: 18446744073709551615n, seq: 42n };
    const cursor = encodePosition('todoItem', position);
    expect(decodePosition('todoItem', cursor)).toEqual({ ok: true, position });
    expect(decodePosition('vehicleModel', cursor).ok).toBe(false);
  });

  it('order by transaction, then by sequence', () => {
    expect(comparePositions({ txid: 1n, seq: 9n }, { txid: 2n, seq: 1n })).toBe(-1);
    expect(comparePositions({ txid: 2n, seq: 2n }, { txid: 2n, seq: 1n })).toBe(1);
    expect(comparePositions({ txid: 2n, seq: 2n }, { txid: 2n, seq: 2n })).toBe(0);
  });
});

describe('the tombstone horizon against a snapshot', () => {
  const seen = { xmin: 100n, xmax: 110n, xip: [100n, 105n] };
  it('may have missed a pruned change by a transaction it did not see', () => {
    expect(mayMissUpTo(seen, 99n)).toBe(false); // everything before xmin was seen
    expect(mayMissUpTo(seen, 100n)).toBe(true); // in progress then
    expect(mayMissUpTo(seen, 104n)).toBe(true); // 100 may be among the pruned
    expect(mayMissUpTo(seen, 110n)).toBe(true); // after it
    expect(mayMissUpTo({ xmin: 100n, xmax: 110n, xip: [] }, 109n)).toBe(false);
  });
});
