import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ChangeNotice } from './changes';
import { encodePosition } from './cursor';
import { HintFanOut } from './hint-fan-out';
import { HintQueue } from './hint-queue';

const notice = (seq: number, table = 'todoItem'): ChangeNotice => ({
  table,
  owner: null,
  cursor: encodePosition(table, { txid: 7n, seq: BigInt(seq) }),
});

/** Subscribers that record what they were handed, in order. */
function subscribers(count: number, wants: (notice: ChangeNotice) => boolean = () => true) {
  const heard: ChangeNotice[][] = Array.from({ length: count }, () => []);
  const queues = heard.map(
    (log) =>
      new HintQueue(
        (hint) => {
          if (wants(hint)) log.push(hint);
          return wants(hint);
        },
        () => {},
      ),
  );
  return { heard, queues };
}

describe('the hint fan-out', () => {
  it('hands a hint to a slice of streams per turn of the event loop, the rest after', async () => {
    const { heard, queues } = subscribers(5);
    const fanOut = new HintFanOut(() => queues, 2);
    fanOut.deliver(notice(1));
    expect(heard.map((log) => log.length)).toEqual([1, 1, 0, 0, 0]);
    await turn();
    expect(heard.map((log) => log.length)).toEqual([1, 1, 1, 1, 0]);
    await turn();
    expect(heard.map((log) => log.length)).toEqual([1, 1, 1, 1, 1]);
  });

  it('keeps the order of the hints for every stream, across slices', async () => {
    const { heard, queues } = subscribers(5);
    const fanOut = new HintFanOut(() => queues, 2);
    fanOut.deliver(notice(1));
    fanOut.deliver(notice(2));
    fanOut.deliver(notice(3, 'vehicleModel'));
    for (let i = 0; i < 10; i++) await turn();
    for (const log of heard) expect(log).toEqual([notice(1), notice(2), notice(3, 'vehicleModel')]);
  });

  it('counts only the streams that want a hint against the slice', () => {
    const others = subscribers(50, (hint) => hint.table === 'vehicleModel');
    const lone = subscribers(1);
    const fanOut = new HintFanOut(() => [...others.queues, ...lone.queues], 1);
    fanOut.deliver(notice(1));
    // 50 streams that do not want it, then the one that does: all in the same turn.
    expect(others.heard.flat()).toEqual([]);
    expect(lone.heard).toEqual([[notice(1)]]);
  });

  it('drops what it has not handed out yet when cleared', async () => {
    const { heard, queues } = subscribers(3);
    const fanOut = new HintFanOut(() => queues, 1);
    fanOut.deliver(notice(1));
    fanOut.clear();
    await turn();
    await turn();
    expect(heard.map((log) => log.length)).toEqual([1, 0, 0]);
  });
});
