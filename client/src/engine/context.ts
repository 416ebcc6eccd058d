import type { TableDescription } from '@syncline/schema';
import { SyncInputError } from '../errors';
import type { Store } from '../store/store';
import type { Transport } from '../transport/transport';
import type { ConflictHandler } from './conflicts';

/** Everything the engine's parts share; built once by `createSyncClient`. */
export interface EngineContext {
  readonly store: Store;
  readonly transport: Transport;
  readonly tables: ReadonlyMap<string, TableDescription>;
  readonly onConflict: ConflictHandler | undefined;
  /** Operations per push request. */
  readonly batchSize: number;
  /** Rows per pull page. */
  readonly pageSize: number;
  /** How many times one operation's conflict is resolved in one push before it is reported. */
  readonly maxConflictRetries: number;
  newId(): string;
  /** Tells live queries, other tabs and the pending count that tables changed. */
  changed(tables: Iterable<string>, pendingDelta?: number): Promise<void>;
}

/** The description of a table the client was created with, or a `SyncInputError`. */
export function describedTable(context: EngineContext, name: string): TableDescription {
  const table = context.tables.get(name);
  if (!table) {
    const known = [...context.tables.keys()].join(', ');
    throw new SyncInputError(
      `table(${JSON.stringify(name)})`,
      `is not one of this client's tables (${known})`,
    );
  }
  return table;
}
