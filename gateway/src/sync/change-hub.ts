import { sql } from 'drizzle-orm';
import { type Db, rowsOf, type SyncDatabase } from '../db/database';
import { CHANGES_CHANNEL, type ChangeNotice } from './changes';
import { type ChangePosition, encodePosition, START } from './cursor';
import { DEFAULT_HINT_WINDOW_MS, HintCoalescer } from './hint-coalescer';
import { HintFanOut } from './hint-fan-out';
import { HintQueue } from './hint-queue';
import type { ServedTable } from './tables';

/**
 * Hears every committed change of every gateway process on the database (LISTEN/NOTIFY)
 * and hands the notices to this process's subscribers, at most one per (table, owner) per
 * `hintWindowMs` under a burst of writes (see HintCoalescer). Coalescing here, once,
 * before the fan-out, spares every subscriber's stream the hints it would drop anyway; each
 * subscriber then takes only what it wants, with a plain call (see HintQueue), a slice of
 * streams per turn of the event loop (see HintFanOut).
 */
export class ChangeHub {
  private readonly subscribers = new Set<HintQueue>();
  private readonly fanOut = new HintFanOut(() => this.subscribers);
  private readonly coalescer: HintCoalescer;
  private listening: Promise<() => Promise<void>> | undefined;

  /** `tables` get a catch-up hint each time the LISTEN connection comes back. */
  constructor(
    private readonly database: SyncDatabase,
    private readonly onError: (error: unknown) => void,
    private readonly tables: readonly ServedTable[] = [],
    hintWindowMs = DEFAULT_HINT_WINDOW_MS,
  ) {
    this.coalescer = new HintCoalescer(hintWindowMs, (notice) => this.fanOut.deliver(notice));
  }

  /** Subscriptions open now: one per change stream. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Starts listening (once); resolves when notices are being heard. */
  start(): Promise<unknown> {
    if (this.listening !== undefined) return this.listening;
    const listening = this.database
      .listen(
        CHANGES_CHANNEL,
        (payload) => this.receive(payload),
        () => void this.catchUp(),
      )
      .catch((error: unknown) => {
        // Not listening: the next subscription tries again (the database may be back).
        if (this.listening === listening) this.listening = undefined;
        throw error;
      });
    this.listening = listening;
    return listening;
  }

  /**
   * Every hint from now on that `wants` takes; call `start()` first to be sure none is
   * missed. It ends when its reader returns it or the hub stops, and then calls `onEnd`.
   */
  subscribe(
    wants: (notice: ChangeNotice) => boolean = () => true,
    onEnd: () => void = () => {},
  ): HintQueue {
    const subscriber = new HintQueue(wants, () => {
      this.subscribers.delete(subscriber);
      onEnd();
    });
    this.subscribers.add(subscriber);
    return subscriber;
  }

  /** Stops listening and ends every subscription (their streams complete). */
  async stop(): Promise<void> {
    const listening = this.listening;
    this.listening = undefined;
    this.coalescer.clear();
    this.fanOut.clear();
    for (const subscriber of this.subscribers) subscriber.end();
    const unlisten = await listening?.catch(() => undefined);
    await unlisten?.();
  }

  private receive(payload: string): void {
    try {
      this.coalescer.offer(JSON.parse(payload) as ChangeNotice);
    } catch (error) {
      this.onError(error);
    }
  }

  /**
   * The LISTEN connection came back, and the notices sent while it was away are lost: every
   * pullable table gets a hint now, for every subscriber (owner null), at its newest change
   * (the start, when that cannot be read), so that they all pull.
   */
  private async catchUp(): Promise<void> {
    for (const served of this.tables) {
      if (served.info.access === 'write') continue;
      const table = served.info.name;
      const position = await newestPosition(this.database.db, served).catch((error: unknown) => {
        this.onError(error);
        return START;
      });
      this.coalescer.offer({ table, cursor: encodePosition(table, position), owner: null });
    }
  }
}

/** The position of the table's newest change (an index scan); the start when it is empty. */
async function newestPosition(db: Db, served: ServedTable): Promise<ChangePosition> {
  const { changeTxid, changeSeq } = served.system;
  const [newest] = rowsOf<{ txid: string; seq: string }>(
    await db.execute(
      sql`select ${changeTxid}::text as txid, ${changeSeq}::text as seq from ${served.table}
        order by ${changeTxid} desc, ${changeSeq} desc limit 1`,
    ),
  );
  return newest ? { txid: BigInt(newest.txid), seq: BigInt(newest.seq) } : START;
}
