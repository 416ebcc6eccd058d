import { describeSyncTable, type Operation, type TableDescription } from '@syncline/schema';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { SyncClientEvents, SyncResult, SyncStatus } from './client-types';
import type { ConflictHandler } from './engine/conflicts';
import { describedTable, type EngineContext } from './engine/context';
import { Emitter } from './engine/events';
import { OUTBOX, storeLayout } from './engine/layout';
import { LiveQueries } from './engine/live-queries';
import { checkLocalFormat } from './engine/local-format';
import { operationOf, type QueuedEntry } from './engine/outbox';
import type { PushResult } from './engine/push-result';
import { SyncInputError } from './errors';
import { createIndexedDbStore } from './store/idb-store';
import type { StoreDriver } from './store/store';
import { LocalChanges } from './sync/local-changes';
import { type AutoSyncOptions, SyncLoop } from './sync/sync-loop';
import { createTabs } from './sync/tabs';
import { createTableApi, type SyncTableApi, type TableRuntime } from './table-api';
import type { Transport } from './transport/transport';
import { createUrqlTransport, type TokenSource } from './transport/urql-transport';

/**
 * How to open a client: `url` (the gateway's GraphQL endpoint) for the default transport, or
 * a `transport` of your own (then `url`, `token` and `fetch` are not used).
 */
export type SyncClientOptions<TTables extends Record<string, PgTable>> =
  SyncClientCommonOptions<TTables> &
    (
      | {
          /** The gateway's GraphQL endpoint, e.g. `https://sync.example.com/graphql`. */
          url: string;
          /** How requests reach the gateway (default: urql over `fetch`). */
          transport?: Transport;
        }
      | { url?: string; transport: Transport }
    );

/** The options of `createSyncClient` besides where requests go. */
export interface SyncClientCommonOptions<TTables extends Record<string, PgTable>> {
  /** The synced tables, keyed by name: `{ todoItem, vehicleModel }` from the schema package. */
  tables: TTables;
  /** The bearer token, or a function returning the current one. */
  token?: TokenSource;
  onConflict?: ConflictHandler;
  /** Where rows and the outbox live (default: IndexedDB database `syncline`). */
  store?: StoreDriver;
  /** The fetch the default transport uses. */
  fetch?: typeof fetch;
  /** Operations per push request (default 100). */
  batchSize?: number;
  /** Rows per pull page (default 100; the gateway allows up to 1,000). */
  pageSize?: number;
  /** Resolutions of one operation's conflict per push before it is reported (default 3). */
  maxConflictRetries?: number;
  /**
   * Sync on start, on `online`, on an interval and after local writes, and hold a live
   * change stream while online (see `AutoSyncOptions`); `false` to sync only when asked.
   */
  autoSync?: false | AutoSyncOptions;
}

export interface SyncClient<TTables extends Record<string, PgTable>> {
  table<K extends keyof TTables & string>(name: K): SyncTableApi<TTables[K]>;
  /** Sends the outbox, in order, one batch at a time. */
  push(): Promise<PushResult>;
  /** Pushes, then pulls every query pulled before. */
  sync(): Promise<SyncResult>;
  /** The number of operations waiting to be pushed (also the `pending` event). */
  pendingOperations(): number;
  /** The waiting operations themselves, oldest first, as they will be pushed. */
  pendingChanges(): Promise<Operation[]>;
  readonly status: SyncStatus;
  /** Whether the device hears others' changes as they happen (the `live` event too). */
  readonly live: boolean;
  on<K extends keyof SyncClientEvents>(
    event: K,
    listener: (value: SyncClientEvents[K]) => void,
  ): () => void;
  close(): void;
}

const DEFAULTS = { batchSize: 100, pageSize: 100, maxConflictRetries: 3 };

/** A whole-number option within the gateway's limits (500 operations a push, 1,000 rows a page). */
function whole(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SyncInputError(
      `createSyncClient.${option}`,
      `must be a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

/** Opens the local store and returns a client that works offline from the first call. */
export async function createSyncClient<TTables extends Record<string, PgTable>>(
  options: SyncClientOptions<TTables>,
): Promise<SyncClient<TTables>> {
  const descriptions = describeTables(options.tables);
  const batchSize = whole('batchSize', options.batchSize ?? DEFAULTS.batchSize, 1, 500);
  const pageSize = whole('pageSize', options.pageSize ?? DEFAULTS.pageSize, 1, 1000);
  const maxConflictRetries = whole(
    'maxConflictRetries',
    options.maxConflictRetries ?? DEFAULTS.maxConflictRetries,
    0,
    100,
  );
  const driver = options.store ?? createIndexedDbStore({ name: 'syncline' });
  const store = await driver.open(storeLayout(descriptions));
  await checkLocalFormat(store, descriptions);
  const { url } = options;
  if (!options.transport && typeof url !== 'string') {
    throw new SyncInputError('createSyncClient.url', 'is required unless a transport is given');
  }
  const transport =
    options.transport ??
    createUrqlTransport({
      url: url as string,
      tables: descriptions,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  const events = new Emitter<SyncClientEvents>();
  const live = new LiveQueries();
  const tabs = createTabs(driver.name);
  const changes = new LocalChanges(tabs, events, live, () =>
    store.read([OUTBOX], (tx) => tx.count(OUTBOX)),
  );
  const context: EngineContext = {
    store,
    transport,
    tables: new Map(descriptions.map((table) => [table.name, table])),
    onConflict: options.onConflict,
    batchSize,
    pageSize,
    maxConflictRetries,
    newId: () => crypto.randomUUID(),
    changed: (tables, pendingDelta) => changes.changed(tables, pendingDelta),
  };
  await changes.start();
  const loop = new SyncLoop({
    context,
    tabs,
    events,
    changes,
    schedule: options.autoSync ?? {},
  });

  const runtime: TableRuntime = { context, live, pull: (...args) => loop.pull(...args) };
  const apis = new Map<string, SyncTableApi<PgTable>>();

  return {
    table(name) {
      const table = describedTable(context, name);
      let api = apis.get(name);
      if (!api) {
        api = createTableApi(runtime, table);
        apis.set(name, api);
      }
      return api as unknown as SyncTableApi<TTables[typeof name]>;
    },
    push: () => loop.push(),
    sync: () => loop.sync(),
    pendingOperations: () => changes.pending,
    pendingChanges: async () => {
      const entries = await store.read([OUTBOX], (tx) => tx.getAll<QueuedEntry>(OUTBOX));
      return entries.map(operationOf);
    },
    get status() {
      return loop.status;
    },
    get live() {
      return loop.live;
    },
    on: (event, listener) => events.on(event, listener),
    close() {
      loop.close();
      live.stopAll();
      changes.close();
      tabs.close();
      store.close();
      // A request in flight may still end: its events would reach an app that moved on.
      events.clear();
    },
  };
}

function describeTables(tables: Record<string, PgTable>): TableDescription[] {
  return Object.entries(tables).map(([key, table]) => {
    const description = describeSyncTable(table);
    if (description.name !== key) {
      throw new Error(
        `createSyncClient: tables.${key} is the table ${description.name}; use its name as the key`,
      );
    }
    return description;
  });
}
