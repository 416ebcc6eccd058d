import type { ChangeNotice } from './changes';
import { hintKey, newerHint } from './hint-coalescer';

/**
 * One subscriber's hints, as an async iterator for its stream. The hub offers it every hint;
 * it keeps those it `wants` (a plain call: a hint for someone else costs no promise). A hint
 * is handed straight to a reader waiting for one; otherwise it waits, at most one per
 * (table, owner), the newest: a stream that reads slowly gets fewer hints, never an ever
 * longer queue. Ends on `return()` (the stream was cancelled) or `end()` (the hub stopped),
 * and then calls `onEnd` once.
 */
export class HintQueue implements AsyncIterableIterator<ChangeNotice> {
  private readonly waiting = new Map<string, ChangeNotice>();
  private reader: ((result: IteratorResult<ChangeNotice>) => void) | undefined;
  private ended = false;

  constructor(
    private readonly wants: (notice: ChangeNotice) => boolean,
    private readonly onEnd: () => void,
  ) {}

  /** Takes `notice` if it wants it; says whether it did. */
  offer(notice: ChangeNotice): boolean {
    if (this.ended || !this.wants(notice)) return false;
    const reader = this.reader;
    if (reader) {
      this.reader = undefined;
      reader({ done: false, value: notice });
      return true;
    }
    const key = hintKey(notice);
    const held = this.waiting.get(key);
    this.waiting.set(key, held ? newerHint(held, notice) : notice);
    return true;
  }

  /** The next hint; one reader at a time, as a stream reads. */
  next(): Promise<IteratorResult<ChangeNotice>> {
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    for (const [key, notice] of this.waiting) {
      this.waiting.delete(key);
      return Promise.resolve({ done: false, value: notice });
    }
    return new Promise((resolve) => {
      this.reader = resolve;
    });
  }

  return(): Promise<IteratorResult<ChangeNotice>> {
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.waiting.clear();
    this.reader?.({ done: true, value: undefined });
    this.reader = undefined;
    this.onEnd();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
