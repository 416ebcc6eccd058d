import type pg from 'pg';
import { BinaryCopyReader } from './binary-copy';
import type { ReadRow } from './read-row';

/** What `copyRows` ends with: `refused` holds what `onRow` threw, if it did. */
export type ReadOutcome = { refused: unknown } | undefined;

/** node-postgres' messages, as a query it runs hears them. */
interface CopyData {
  chunk: Buffer;
}
interface Connection {
  query(text: string): void;
  sendCopyFail(message: string): void;
}

/**
 * Runs `select` on `client` as `COPY (select) TO STDOUT (FORMAT binary)` and hands each row
 * to `onRow` as its bytes arrive, none of them decoded to text unless `onRow` asks: a pull's
 * rows, JSON that Postgres wrote, go from the connection's bytes to the answer's as they are.
 * `select` takes no parameters (`inlineValues`).
 *
 * Rejects with the statement's error or the connection's. A throwing `onRow` hears of no
 * more rows; the statement runs to its end, and the outcome holds the throw.
 */
export function copyRows(
  client: pg.ClientBase,
  select: string,
  onRow: (row: ReadRow) => void,
): Promise<ReadOutcome> {
  return new Promise((resolve, reject) => {
    client.query(
      new CopyRows(`copy (${select}) to stdout (format binary)`, onRow, resolve, reject),
    );
  });
}

/**
 * A query node-postgres runs as it runs its own (a `Submittable`, as pg-cursor's and
 * pg-copy-streams' are): it sends the statement and hears each message of the answer.
 */
class CopyRows implements pg.Submittable {
  readonly #reader: BinaryCopyReader;
  #outcome: ReadOutcome;
  /** The answer could not be read: the connection is failed with it. */
  #unreadable: Error | undefined;

  constructor(
    private readonly statement: string,
    onRow: (row: ReadRow) => void,
    private readonly resolve: (outcome: ReadOutcome) => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.#reader = new BinaryCopyReader((row) => {
      if (this.#outcome) return;
      try {
        onRow(row);
      } catch (refused) {
        this.#outcome = { refused };
      }
    });
  }

  submit(connection: pg.Connection): void {
    (connection as unknown as Connection).query(this.statement);
  }

  handleCopyData(message: CopyData): void {
    if (this.#unreadable) return;
    try {
      this.#reader.add(message.chunk);
    } catch (error) {
      this.#unreadable = error as Error;
    }
  }

  handleReadyForQuery(): void {
    const unreadable =
      this.#unreadable ??
      (this.#reader.ended ? undefined : new Error('COPY: the rows ended early'));
    if (unreadable) this.reject(unreadable);
    else this.resolve(this.#outcome);
  }

  handleError(error: Error): void {
    this.reject(error);
  }

  handleCommandComplete(): void {}

  handleEmptyQuery(): void {}

  handleRowDescription(): void {
    this.#unreadable ??= new Error('COPY: answered with rows, not COPY data');
  }

  handleDataRow(): void {}

  handlePortalSuspended(): void {}

  handleCopyInResponse(connection: pg.Connection): void {
    (connection as unknown as Connection).sendCopyFail('syncline reads rows; it sends none');
  }
}
