import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangeNotice } from './changes';
import { encodePosition } from './cursor';
import { HintCoalescer } from './hint-coalescer';

const WINDOW = 25;

const notice = (seq: number, table = 'todoItem', owner: string | null = 'alice'): ChangeNotice => ({
  table,
  owner,
  cursor: encodePosition(table, { txid: 100n, seq: BigInt(seq) }),
});

describe('the hint coalescer', () => {
  let sent: ChangeNotice[];
  let coalescer: HintCoalescer;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    coalescer = new HintCoalescer(WINDOW, (hint) => sent.push(hint));
  });
  afterEach(() => {
    coalescer.clear();
    vi.useRealTimers();
  });

  it('sends a lone notice at once, without waiting for a window', () => {
    coalescer.offer(notice(1));
    expect(sent).toEqual([notice(1)]);
    vi.advanceTimersByTime(WINDOW);
    expect(sent).toEqual([notice(1)]);
  });

  it('sends at most one hint per window under a burst, the last with the newest position', () => {
    // 200 commits over 100 ms, one every half millisecond.
    for (let seq = 1; seq <= 200; seq++) {
      coalescer.offer(notice(seq));
      vi.advanceTimersByTime(0.5);
    }
    vi.advanceTimersByTime(WINDOW * 3);
    expect(sent[0]).toEqual(notice(1));
    expect(sent.length).toBeLessThanOrEqual(1 + 100 / WINDOW + 1);
    expect(sent.at(-1)).toEqual(notice(200));
  });

  it('keeps the newest position when notices arrive out of position order', () => {
    coalescer.offer(notice(5));
    coalescer.offer(notice(9));
    coalescer.offer(notice(7));
    vi.advanceTimersByTime(WINDOW);
    expect(sent).toEqual([notice(5), notice(9)]);
    // Still owed after the newest was sent: an older transaction that committed later.
    coalescer.offer(notice(8));
    vi.advanceTimersByTime(WINDOW);
    expect(sent).toEqual([notice(5), notice(9), notice(9)]);
  });

  it('sends the next lone notice at once once a window passed quietly', () => {
    coalescer.offer(notice(1));
    coalescer.offer(notice(2));
    vi.advanceTimersByTime(WINDOW);
    expect(sent).toEqual([notice(1), notice(2)]);
    vi.advanceTimersByTime(WINDOW);
    coalescer.offer(notice(3));
    expect(sent).toEqual([notice(1), notice(2), notice(3)]);
  });

  it('coalesces each table and owner on its own', () => {
    coalescer.offer(notice(1, 'todoItem', 'alice'));
    coalescer.offer(notice(2, 'todoItem', 'bob'));
    coalescer.offer(notice(3, 'vehicleModel', null));
    coalescer.offer(notice(4, 'todoItem', 'alice'));
    expect(sent).toEqual([
      notice(1, 'todoItem', 'alice'),
      notice(2, 'todoItem', 'bob'),
      notice(3, 'vehicleModel', null),
    ]);
    vi.advanceTimersByTime(WINDOW);
    expect(sent.at(-1)).toEqual(notice(4, 'todoItem', 'alice'));
    expect(sent).toHaveLength(4);
  });

  it('sends every notice with a window of 0', () => {
    const every: ChangeNotice[] = [];
    const none = new HintCoalescer(0, (hint) => every.push(hint));
    for (let seq = 1; seq <= 5; seq++) none.offer(notice(seq));
    expect(every).toHaveLength(5);
  });
});
