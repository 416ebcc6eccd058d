import type { PgTable } from 'drizzle-orm/pg-core';
import type { SyncClient } from '../create-sync-client';
import type { PushError, PushResult } from '../engine/push-result';

/**
 * The operations the last pushes left unresolved, for a UI to show. A complete push
 * reports every operation it could not apply, so its list replaces the one kept; a push
 * that stopped early (offline, aborted) only adds what it reported.
 */
export class ConflictTracker {
  #errors: readonly PushError[] = [];
  readonly #listeners = new Set<() => void>();

  /** `onPush` registers a listener for every push's result (the client's `push` event). */
  constructor(onPush: (listener: (result: PushResult) => void) => unknown) {
    onPush((result) => this.#pushed(result));
  }

  get errors(): readonly PushError[] {
    return this.#errors;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Takes an error off the list once the app has decided it. */
  forget(error: PushError): void {
    this.#set(this.#errors.filter((kept) => kept.operation.opId !== error.operation.opId));
  }

  #pushed(result: PushResult): void {
    if (result.status === 'complete') {
      if (result.errors.length > 0 || this.#errors.length > 0) this.#set(result.errors);
      return;
    }
    if (result.errors.length === 0) return;
    const reported = new Set(result.errors.map((error) => error.operation.opId));
    this.#set([
      ...this.#errors.filter((kept) => !reported.has(kept.operation.opId)),
      ...result.errors,
    ]);
  }

  #set(errors: readonly PushError[]): void {
    this.#errors = errors;
    for (const listener of this.#listeners) listener();
  }
}

const trackers = new WeakMap<object, ConflictTracker>();

/** The one tracker of a client, made on first use. */
export function conflictsOf(client: SyncClient<Record<string, PgTable>>): ConflictTracker {
  let tracker = trackers.get(client);
  if (!tracker) {
    tracker = new ConflictTracker((listener) => client.on('push', listener));
    trackers.set(client, tracker);
  }
  return tracker;
}
