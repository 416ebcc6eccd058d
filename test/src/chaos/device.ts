import {
  type Conflict,
  type ConflictResolution,
  createIndexedDbStore,
  createSyncClient,
  mergeRows,
  type PushError,
  type StoreDriver,
  SyncInputError,
  type SyncResult,
} from '@syncline/client';
// idb checks values against the IndexedDB classes, which Node lacks: install fake-indexeddb's.
import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { Random } from '../support/random';
import { type ExampleClient, exampleSchema } from '../support/sync-client';
import type { FaultyNetwork, NetworkPeer } from './faulty-network';
import type { Ledger, ObservedOutcome } from './ledger';
import { type ArrivedRow, RowMonitor } from './row-monitor';

/** How a device answers `onConflict` (its deletes always insist: see `conflictAnswer`). */
export type ConflictPolicy = 'server-wins' | 'client-wins' | 'merge' | 'report';

export type Action =
  | 'insert'
  | 'update'
  | 'delete'
  | 'accolade'
  | 'sync'
  | 'push'
  | 'pull-todos'
  | 'pull-models'
  | 'reload'
  | 'reload-mid-push';

const WEIGHTS: Record<Action, number> = {
  insert: 10,
  update: 30,
  delete: 4,
  accolade: 10,
  sync: 16,
  push: 5,
  'pull-todos': 12,
  'pull-models': 3,
  reload: 2,
  'reload-mid-push': 2,
};

/** Most live to-dos a technician keeps, so that devices keep meeting on the same rows. */
const MAX_TODOS = 6;

export interface DeviceOptions {
  name: string;
  user: string;
  token: string;
  random: Random;
  network: FaultyNetwork;
  ledger: Ledger;
  modelIds: readonly string[];
  policy: ConflictPolicy;
}

/** What a device counts while it works. */
export interface DeviceCounts {
  changes: number;
  syncs: number;
  reloads: number;
  /** Errors thrown by a client that was not being reloaded: each is a finding. */
  failures: string[];
}

/**
 * One technician's device: the real client library on its own IndexedDB (fake-indexeddb),
 * through the faulty network, doing what a technician does, reloading now and then.
 */
export class ChaosDevice implements NetworkPeer {
  readonly random: Random;
  readonly monitor: RowMonitor;
  readonly counts: DeviceCounts = { changes: 0, syncs: 0, reloads: 0, failures: [] };
  #client: ExampleClient | undefined;
  #opening: Promise<ExampleClient> | undefined;
  #reloadArmed = false;
  #autoSync = true;
  readonly #driver: StoreDriver;

  constructor(private readonly options: DeviceOptions) {
    this.random = options.random;
    this.monitor = new RowMonitor(options.name);
    this.#driver = this.monitor.watchStore(
      createIndexedDbStore({ name: options.name, indexedDB: new IDBFactory(), IDBKeyRange }),
    );
  }

  get name(): string {
    return this.options.name;
  }

  get user(): string {
    return this.options.user;
  }

  /** The open client, once any reload has finished. */
  client(): Promise<ExampleClient> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#opening ??= this.#open();
    return this.#opening;
  }

  async #open(): Promise<ExampleClient> {
    const client = await createSyncClient({
      url: 'http://gateway.chaos/graphql',
      tables: exampleSchema,
      token: this.options.token,
      store: this.#driver,
      fetch: this.options.network.fetchFor(this),
      onConflict: (conflict) => this.#conflictAnswer(conflict),
      batchSize: this.random.int(5, 60),
      // Half the devices also sync by themselves, as the demo app does.
      autoSync: this.#autoSync && this.random.chance(0.5) ? { intervalMs: 2_000 } : false,
    });
    this.#client = client;
    this.#opening = undefined;
    return client;
  }

  /** Closes the client and opens a new one on the same database, as a page reload does. */
  async reopen(options: { autoSync?: boolean } = {}): Promise<void> {
    this.#autoSync = options.autoSync ?? this.#autoSync;
    const old = this.#client ?? (await this.#opening);
    this.#client = undefined;
    old?.close();
    this.counts.reloads++;
    await this.client();
  }

  // NetworkPeer: what the network tells this device.
  received(data: Record<string, unknown>): void {
    for (const [field, value] of Object.entries(data)) {
      if (field === 'push' && Array.isArray(value)) {
        for (const outcome of value as ObservedOutcome[]) {
          this.options.ledger.outcome(outcome);
          if (outcome.row) this.monitor.received(outcome.row as ArrivedRow);
        }
      } else if (field.startsWith('pull') && value && typeof value === 'object') {
        // `pull<Table>Pages` answers a list of pages, `pull<Table>s` one.
        const pages = (Array.isArray(value) ? value : [value]) as { rows: ArrivedRow[] }[];
        for (const page of pages) for (const row of page.rows) this.monitor.received(row);
      }
    }
  }

  reloadsDuringPush(): boolean {
    const armed = this.#reloadArmed;
    this.#reloadArmed = false;
    return armed;
  }

  reload(): void {
    this.reopen().catch((error: unknown) => this.counts.failures.push(`reload: ${String(error)}`));
  }

  /** One thing a technician does; errors of a client reloaded meanwhile are expected. */
  async act(): Promise<Action> {
    const action = this.random.weighted(WEIGHTS);
    const client = await this.client();
    try {
      await this.#do(action, client);
    } catch (error) {
      if (client === this.#client && !raced(error)) {
        this.counts.failures.push(`${this.name} ${action}: ${String(error)}`);
      }
    } finally {
      this.#reloadArmed = false;
    }
    return action;
  }

  async #do(action: Action, client: ExampleClient): Promise<void> {
    const todos = client.table('todoItem');
    const { random, ledger } = this.options;
    switch (action) {
      case 'insert': {
        if ((await todos.find()).length >= MAX_TODOS) return;
        const id = random.uuid();
        ledger.inserted.set(id, this.user);
        await todos.insert({ id, text: `${this.name} ${random.int(0, 9999)}`, complete: false });
        this.counts.changes++;
        return;
      }
      case 'update': {
        const rows = await todos.find();
        if (rows.length === 0) return;
        const row = random.pick(rows);
        const patch: Record<string, unknown> = {};
        if (random.chance(0.6)) patch.text = `${this.name} ${random.int(0, 9999)}`;
        if (random.chance(0.4)) patch.complete = !row.complete;
        if (random.chance(0.3)) patch.dueDate = new Date(Date.UTC(2027, 0, random.int(1, 28)));
        if (Object.keys(patch).length === 0) patch.text = `${this.name} ${random.int(0, 9999)}`;
        await todos.update({ id: row.id, ...patch });
        this.counts.changes++;
        return;
      }
      case 'delete': {
        const rows = await todos.find();
        if (rows.length === 0) return;
        const row = random.pick(rows);
        ledger.deleted.add(row.id);
        await todos.delete(row.id);
        this.counts.changes++;
        return;
      }
      case 'accolade': {
        const model = random.pick(this.options.modelIds);
        const count = random.int(1, 3);
        await client
          .table('vehicleModelUpdate')
          .insert({ vehicleModelId: model, accoladeCount: count });
        ledger.accolade(model, count);
        this.counts.changes++;
        return;
      }
      case 'sync':
        await this.#sync(client);
        return;
      case 'push':
        await client.push();
        return;
      case 'pull-todos':
        await todos.pull('mine');
        return;
      case 'pull-models':
        await client.table('vehicleModel').pull('models');
        return;
      case 'reload':
        await this.reopen();
        return;
      case 'reload-mid-push':
        if (client.pendingOperations() === 0) return;
        this.#reloadArmed = true;
        await this.#sync(client);
        return;
    }
  }

  async #sync(client: ExampleClient): Promise<SyncResult> {
    this.counts.syncs++;
    return client.sync();
  }

  /** Registers the device's queries (their first pulls may fail: they are kept all the same). */
  async registerQueries(): Promise<void> {
    const client = await this.client();
    await client.table('todoItem').pull('mine');
    await client.table('vehicleModel').pull('models');
  }

  /**
   * Syncs until nothing is left to send, deciding what `onConflict` left reported (deletes
   * insist, updates take the server's row, rejections are cancelled). Answers how many
   * operations were applied or decided (0: this device changed nothing on the server) and
   * whether it ended quiet.
   */
  async settle(): Promise<{ changed: number; quiet: boolean; rejected: string[] }> {
    const client = await this.client();
    const rejected: string[] = [];
    let changed = 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      const result = await this.#sync(client);
      changed += result.push.pushed;
      for (const error of result.push.errors) {
        changed++;
        await this.#decide(error, rejected);
      }
      const quiet =
        result.status === 'complete' &&
        result.push.errors.length === 0 &&
        client.pendingOperations() === 0;
      if (quiet) return { changed, quiet, rejected };
    }
    return { changed, quiet: false, rejected };
  }

  async #decide(error: PushError, rejected: string[]) {
    if (error.status === 'CONFLICT') {
      const action = error.operation.kind === 'DELETE' ? 'client-wins' : 'server-wins';
      await error.resolve({ action });
      return;
    }
    rejected.push(`${this.name}: ${error.operation.kind} ${error.operation.id}: ${error.message}`);
    await error.cancelAndUpdate();
  }

  /** Deletes always insist, so that every delete a technician made reaches the server. */
  #conflictAnswer(conflict: Conflict): ConflictResolution | undefined {
    if (conflict.operation.kind === 'DELETE') return { action: 'client-wins' };
    switch (this.options.policy) {
      case 'server-wins':
        return { action: 'server-wins' };
      case 'client-wins':
        return { action: 'client-wins' };
      case 'merge': {
        const merged = mergeRows(conflict);
        return merged && merged.overlapping.length === 0
          ? { action: 'merge', row: merged.row }
          : { action: 'server-wins' };
      }
      case 'report':
        return undefined;
    }
  }

  async close(): Promise<void> {
    const client = this.#client ?? (await this.#opening);
    this.#client = undefined;
    client?.close();
  }
}

/** The row a device chose was removed meanwhile (a pulled delete, a sync of its own): fine. */
function raced(error: unknown): boolean {
  return error instanceof SyncInputError && / there is no \w+ ".*" here/.test(error.message);
}
