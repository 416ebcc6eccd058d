import { sql } from 'drizzle-orm';
import type { Db } from '../db/database';
import { type ChangePosition, comparePositions, encodePosition } from './cursor';
import type { ServedTable } from './tables';

/** The Postgres NOTIFY channel that carries change hints between gateway processes. */
export const CHANGES_CHANNEL = 'syncline_changes';

/** A change hint: "pull this table now". Never carries row data. */
export interface ChangeNotice {
  table: string;
  cursor: string;
  /** For owned tables, the user whose rows changed: only they hear it. */
  owner: string | null;
}

/** Collects the newest change position per table and owner during a write transaction. */
export class ChangeLog {
  private readonly latest = new Map<
    string,
    { notice: Omit<ChangeNotice, 'cursor'>; position: ChangePosition }
  >();

  record(served: ServedTable, owner: string | null, position: ChangePosition): void {
    const key = `${served.info.name}\u0000${owner ?? ''}`;
    const known = this.latest.get(key);
    if (known && comparePositions(known.position, position) >= 0) return;
    this.latest.set(key, { notice: { table: served.info.name, owner }, position });
  }

  /** Moves another log's entries into this one (a savepoint's, once it is kept). */
  absorb(other: ChangeLog): void {
    for (const [key, entry] of other.latest) {
      const known = this.latest.get(key);
      if (!known || comparePositions(known.position, entry.position) < 0)
        this.latest.set(key, entry);
    }
  }

  /** Queues the notices in the transaction: Postgres delivers them only if it commits. */
  async notify(tx: Db): Promise<void> {
    if (this.latest.size === 0) return;
    const calls = [...this.latest.values()].map(({ notice, position }) => {
      const payload: ChangeNotice = { ...notice, cursor: encodePosition(notice.table, position) };
      return sql`pg_notify(${CHANGES_CHANNEL}, ${JSON.stringify(payload)})`;
    });
    await tx.execute(sql`select ${sql.join(calls, sql`, `)}`);
  }
}
