import type { ChangeNotice } from './changes';
import type { HintQueue } from './hint-queue';

/** Most streams handed a hint in one turn of the event loop. */
export const FAN_OUT_SLICE = 100;

/**
 * Hands each hint to every subscriber, in the order the hints came, at most `slice`
 * streams that take it per turn of the event loop. Between slices the streams already
 * handed theirs write it out, and the gateway answers other requests (the writer's push
 * among them), instead of preparing a thousand streams' events before the first one leaves.
 * A subscriber that does not want a hint costs a call and counts for nothing.
 */
export class HintFanOut {
  private readonly queued: ChangeNotice[] = [];
  private current: { notice: ChangeNotice; to: HintQueue[]; next: number } | undefined;
  private scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly subscribers: () => Iterable<HintQueue>,
    private readonly slice = FAN_OUT_SLICE,
  ) {}

  deliver(notice: ChangeNotice): void {
    this.queued.push(notice);
    if (!this.current && !this.scheduled) this.run();
  }

  /** Drops every hint not yet handed out (the hub stops). */
  clear(): void {
    this.queued.length = 0;
    this.current = undefined;
    clearImmediate(this.scheduled);
    this.scheduled = undefined;
  }

  private readonly run = (): void => {
    this.scheduled = undefined;
    let left = this.slice;
    for (;;) {
      if (!this.current) {
        const notice = this.queued.shift();
        if (!notice) return;
        // Those who subscribe from now on did not ask for this one.
        this.current = { notice, to: [...this.subscribers()], next: 0 };
      }
      const current = this.current;
      while (current.next < current.to.length && left > 0) {
        if (current.to[current.next++]?.offer(current.notice)) left--;
      }
      if (current.next < current.to.length) {
        this.scheduled = setImmediate(this.run);
        return;
      }
      this.current = undefined;
    }
  };
}
