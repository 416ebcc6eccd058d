import type { PgTable } from 'drizzle-orm/pg-core';
import type { Logger } from 'pino';
import type { ServedTable } from './tables';

/** Whose batch it is, and what it may reach: what applying operations needs besides them. */
export interface ApplyContext {
  userId: string;
  servedTables: ReadonlyMap<PgTable, ServedTable>;
  /** Where a transaction run again after a deadlock is reported. */
  logger: Pick<Logger, 'warn'>;
}
