import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/database';
import { encodePullCursor } from './cursor';
import { lastPage, type PullRequest, type PullResult, type PullSource, pullChanges } from './pull';
import type { Snapshot } from './snapshot';
import type { ServedTable } from './tables';

export interface ReadAheadOptions {
  /** Whether the database has room for a read nobody has asked for yet. */
  hasRoom(): boolean;
  /** Pages held at most, read or being read (default 64). */
  maxPages?: number;
  /** How long a page waits for its request (default 30 s). */
  keepMs?: number;
  /**
   * How long a table is not read ahead after one of its pages was found stale (default 1 s):
   * a table written to all the time would have every page read twice.
   */
  backOffMs?: number;
  /** Hears what became of each page read ahead that a request asked for. */
  onTaken?(outcome: ReadAheadOutcome): void;
}

/** A page read ahead, asked for: `used`, or read again because it was `stale` or `failed`. */
export type ReadAheadOutcome = 'used' | 'stale' | 'failed';

/** A page read ahead, and a snapshot taken before it was read. */
interface Held {
  page: Promise<PullResult<unknown>>;
  readAfter: Snapshot;
  timer: NodeJS.Timeout;
}

/**
 * The next page of a pull that has more, read while the client takes in this one: a client
 * pulling a large window asks for the next page as soon as it has stored this one, and by
 * then the database has read it. A page read ahead is answered only if its table has had
 * no change committed since a snapshot taken before the page was read (`changedSince`):
 * then it is exactly the page a read now would give. Otherwise it is read again.
 *
 * Pages are keyed by the request they answer (`readAheadKey`), each taken once, dropped
 * after `keepMs`. No page is read when `maxPages` are held or when the database has no free
 * connection: reading ahead never makes a request wait for a connection. A table whose page
 * was stale is not read ahead for `backOffMs`, so that one written to all the time does not
 * have each page read twice.
 */
export class PullReadAhead {
  readonly #pages = new Map<string, Held>();
  readonly #reading = new Set<Promise<void>>();
  /** Tables not read ahead until then (ms since the epoch): a page of theirs was stale. */
  readonly #backOff = new Map<string, number>();
  readonly #options: Required<ReadAheadOptions>;
  #closed = false;

  constructor(options: ReadAheadOptions) {
    this.#options = {
      maxPages: 64,
      keepMs: 30_000,
      backOffMs: 1_000,
      onTaken: () => {},
      ...options,
    };
  }

  /**
   * The pages `request` asks for: those read ahead for it when they still hold, else read
   * now. When the window has more, the next request's pages are read ahead.
   */
  async pull<TRows>(database: PullSource, request: PullRequest<TRows>): Promise<PullResult<TRows>> {
    const held = this.#take(readAheadKey(request));
    const answer =
      (held && (await this.#stillHolds(database.db, request.served, held))) ??
      (await pullChanges(database, request));
    const last = answer.status === 'ok' ? lastPage(answer.pages) : undefined;
    if (answer.status === 'ok' && last?.hasMore) {
      this.#read(database, { ...request, cursor: last.cursor }, answer.readAt);
    }
    return answer as PullResult<TRows>;
  }

  /** Drops every page and waits for the reads still running. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const { timer } of this.#pages.values()) clearTimeout(timer);
    this.#pages.clear();
    await Promise.all(this.#reading);
  }

  /** Reads the page `next` asks for, if there is room: a failed read is read again when asked for. */
  #read<TRows>(database: PullSource, next: PullRequest<TRows>, readAfter: Snapshot) {
    const key = readAheadKey(next);
    if (this.#closed || this.#pages.has(key) || this.#pages.size >= this.#options.maxPages) return;
    if ((this.#backOff.get(next.served.info.name) ?? 0) > Date.now()) return;
    if (!this.#options.hasRoom()) return;
    const page = pullChanges(database, next);
    const timer = setTimeout(() => this.#pages.delete(key), this.#options.keepMs);
    timer.unref();
    this.#pages.set(key, { page, readAfter, timer });
    const done = page.then(
      () => {},
      () => {},
    );
    this.#reading.add(done);
    void done.then(() => this.#reading.delete(done));
  }

  /** The page held, if it is what a read now would give; checked while it is still being read. */
  async #stillHolds(db: Db, served: ServedTable, held: Held) {
    const [page, changed] = await Promise.all([
      held.page.catch(() => undefined),
      changedSince(db, served, held.readAfter),
    ]);
    const outcome = page?.status !== 'ok' ? 'failed' : changed ? 'stale' : 'used';
    this.#options.onTaken(outcome);
    if (outcome === 'stale') {
      this.#backOff.set(served.info.name, Date.now() + this.#options.backOffMs);
    }
    return outcome === 'used' ? page : undefined;
  }

  #take(key: string): Held | undefined {
    const held = this.#pages.get(key);
    if (!held) return undefined;
    this.#pages.delete(key);
    clearTimeout(held.timer);
    return held;
  }
}

/** What makes two pull requests the same page: who asks, for what, from where. */
function readAheadKey(request: PullRequest<unknown>): string {
  const { served, projection } = request;
  const cursor = encodePullCursor(served.info.name, request.cursor);
  return JSON.stringify([
    served.info.name,
    request.userId,
    cursor,
    request.limit,
    request.pages ?? 1,
    request.where?.key ?? null,
    projection.id,
  ]);
}

/**
 * Whether a transaction not visible in `snapshot` has committed changes to the table:
 * one that began after it (`xmax` on), or one in progress when it was taken. Both are
 * index lookups on the change position.
 */
export async function changedSince(db: Db, served: ServedTable, snapshot: Snapshot) {
  const { changeTxid } = served.system;
  const later = sql`exists (select from ${served.table} where ${changeTxid} >= ${snapshot.xmax.toString()}::xid8)`;
  const inProgress = snapshot.xip.length
    ? sql` or exists (select from ${served.table} where ${changeTxid} = any(${`{${snapshot.xip.join(',')}}`}::xid8[]))`
    : sql``;
  const [answer] = rowsOf<{ changed: boolean }>(
    await db.execute(sql`select (${later}${inProgress}) as "changed"`),
  );
  return answer?.changed !== false;
}
