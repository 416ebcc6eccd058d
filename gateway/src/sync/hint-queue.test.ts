import { describe, expect, it } from 'vitest';
import type { ChangeNotice } from './changes';
import { encodePosition } from './cursor';
import { HintQueue } from './hint-queue';

const notice = (seq: number, table = 'todoItem', owner: string | null = 'alice'): ChangeNotice => ({
  table,
  owner,
  cursor: encodePosition(table, { txid: 7n, seq: BigInt(seq) }),
});

describe("a subscriber's hint queue", () => {
  it('hands a hint to the reader waiting for one, and keeps only what it wants', async () => {
    const queue = new HintQueue(
      (hint) => hint.owner === null || hint.owner === 'alice',
      () => {},
    );
    const reading = queue.next();
    queue.offer(notice(1, 'todoItem', 'bob'));
    queue.offer(notice(2));
    expect(await reading).toEqual({ done: false, value: notice(2) });
  });

  it('holds at most one hint per table and owner for a slow reader, the newest', async () => {
    const queue = new HintQueue(
      () => true,
      () => {},
    );
    for (const seq of [3, 9, 5]) queue.offer(notice(seq));
    queue.offer(notice(4, 'vehicleModel', null));
    expect(await queue.next()).toEqual({ done: false, value: notice(9) });
    expect(await queue.next()).toEqual({ done: false, value: notice(4, 'vehicleModel', null) });
    const reading = queue.next();
    queue.offer(notice(10));
    expect(await reading).toEqual({ done: false, value: notice(10) });
  });

  it('ends at once when returned while its reader waits, and says so once', async () => {
    let ended = 0;
    const queue = new HintQueue(
      () => true,
      () => ended++,
    );
    const reading = queue.next();
    await queue.return();
    expect(await reading).toEqual({ done: true, value: undefined });
    queue.end();
    queue.offer(notice(1));
    expect(await queue.next()).toEqual({ done: true, value: undefined });
    expect(ended).toBe(1);
  });
});
