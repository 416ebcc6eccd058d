import type { ChangeNotice } from './changes';
import { type ChangePosition, comparePositions, decodePosition } from './cursor';

/** How long a (table, owner) holds back further hints after sending one; see createGateway. */
export const DEFAULT_HINT_WINDOW_MS = 25;

/** A (table, owner) that sent a hint less than a window ago. */
interface Window {
  timer: NodeJS.Timeout;
  /** The newest change heard since the burst began, sent or not. */
  newest: ChangeNotice;
  newestPosition: ChangePosition;
  /** A notice arrived since the last hint was sent: one more is owed. */
  owed: boolean;
}

/**
 * Thins a burst of change notices to at most one hint per (table, owner) per `windowMs`,
 * before they fan out to subscribers. The first notice of a quiet (table, owner) goes out
 * at once; notices during its window are held, and when the window ends one hint goes out
 * carrying the newest position of the burst, and a new window begins. A window that ends
 * with nothing held closes, so the next lone write is sent at once again. `windowMs` 0
 * sends every notice as it comes.
 */
export class HintCoalescer {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly windowMs: number,
    private readonly send: (notice: ChangeNotice) => void,
  ) {}

  offer(notice: ChangeNotice): void {
    if (this.windowMs <= 0) {
      this.send(notice);
      return;
    }
    const key = hintKey(notice);
    const position = positionOf(notice);
    const open = this.windows.get(key);
    if (open) {
      // Notices can arrive out of position order (transactions commit in another order
      // than they started): the held hint keeps the newest position of the whole burst.
      if (comparePositions(position, open.newestPosition) > 0) {
        open.newest = notice;
        open.newestPosition = position;
      }
      open.owed = true;
      return;
    }
    this.send(notice);
    this.windows.set(key, {
      timer: this.endWindowLater(key),
      newest: notice,
      newestPosition: position,
      owed: false,
    });
  }

  /** Forgets every held hint and stops every timer (the hub stops). */
  clear(): void {
    for (const open of this.windows.values()) clearTimeout(open.timer);
    this.windows.clear();
  }

  private endWindowLater(key: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.endWindow(key), this.windowMs);
    // A held hint must not keep a process alive that is otherwise done.
    timer.unref();
    return timer;
  }

  private endWindow(key: string): void {
    const open = this.windows.get(key);
    if (!open) return;
    if (!open.owed) {
      this.windows.delete(key);
      return;
    }
    open.owed = false;
    open.timer = this.endWindowLater(key);
    this.send(open.newest);
  }
}

/** What hints are coalesced by: their table and owner. */
export function hintKey(notice: ChangeNotice): string {
  return JSON.stringify([notice.table, notice.owner]);
}

/** Of two hints of one (table, owner), the one at the newer position (`b` on a tie). */
export function newerHint(a: ChangeNotice, b: ChangeNotice): ChangeNotice {
  return comparePositions(positionOf(a), positionOf(b)) > 0 ? a : b;
}

/** A notice's change position; a cursor that does not decode sorts first (never newest). */
function positionOf(notice: ChangeNotice): ChangePosition {
  const decoded = decodePosition(notice.table, notice.cursor);
  return decoded.ok ? decoded.position : { txid: -1n, seq: -1n };
}
