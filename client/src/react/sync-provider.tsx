import type { PgTable } from 'drizzle-orm/pg-core';
import { createContext, type ReactNode, useContext } from 'react';
import type { SyncClient } from '../create-sync-client';
import { conflictsOf } from './conflict-tracker';

type AnyClient = SyncClient<Record<string, PgTable>>;

const SyncContext = createContext<AnyClient | null>(null);

export interface SyncProviderProps<TTables extends Record<string, PgTable>> {
  client: SyncClient<TTables>;
  children?: ReactNode;
}

/** Makes a client available to the hooks below it. */
export function SyncProvider<TTables extends Record<string, PgTable>>({
  client,
  children,
}: SyncProviderProps<TTables>) {
  // Track conflicts from the first render on, before any component asks for them.
  conflictsOf(client as unknown as AnyClient);
  return (
    <SyncContext.Provider value={client as unknown as AnyClient}>{children}</SyncContext.Provider>
  );
}

/** The client of the nearest `SyncProvider`. */
export function useSyncClient<
  TTables extends Record<string, PgTable> = Record<string, PgTable>,
>(): SyncClient<TTables> {
  const client = useContext(SyncContext);
  if (!client)
    throw new Error('useSyncClient: no <SyncProvider client={...}> above this component');
  return client as unknown as SyncClient<TTables>;
}
