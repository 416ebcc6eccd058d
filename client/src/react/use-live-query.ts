import type { PgTable } from 'drizzle-orm/pg-core';
import { useEffect, useState } from 'react';
import type { SyncTableApi } from '../table-api';
import type { FindOptions, Row } from '../types';

export interface LiveQuery<T extends PgTable> {
  /** The matching rows; empty until the first read. */
  rows: Row<T>[];
  /** True until the first read of this query has answered. */
  loading: boolean;
  /** Why the query failed (a bad filter throws `SyncInputError`); the last rows stay. */
  error: unknown;
}

/**
 * The rows of `table.find(query)`, read again whenever the table changes, here or in
 * another tab. The query is compared by value, so an inline object does not re-subscribe.
 */
export function useLiveQuery<T extends PgTable>(
  table: SyncTableApi<T>,
  query: FindOptions<T> = {},
): LiveQuery<T> {
  const key = JSON.stringify(query);
  const [state, setState] = useState<LiveQuery<T> & { key?: string }>({
    rows: [],
    loading: true,
    error: undefined,
  });
  useEffect(() => {
    let stop = () => {};
    try {
      stop = table.watch(
        JSON.parse(key) as FindOptions<T>,
        (rows) => setState({ rows, loading: false, error: undefined, key }),
        (error) => setState((last) => ({ ...last, loading: false, error })),
      );
    } catch (error) {
      setState((last) => ({ ...last, loading: false, error }));
    }
    return () => stop();
  }, [table, key]);
  // Rows of the previous query are shown, marked loading, until the new one answers.
  return state.key === key || state.error !== undefined
    ? { rows: state.rows, loading: state.loading, error: state.error }
    : { rows: state.rows, loading: true, error: undefined };
}
