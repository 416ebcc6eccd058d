import { createSyncClient, type SyncClient } from '@syncline/client';
import { createMemoryStore } from '@syncline/client/testing';
import { benchSmall } from './bench-tables';
import { wallNow } from './fan-out-protocol';

export type Writer = SyncClient<{ benchSmall: typeof benchSmall }>;

/**
 * The writing device of the propagation benchmark: `createSyncClient` with a store in
 * memory, syncing after its own writes only (so an insert is pushed at once, as an app's)
 * and holding no change stream. Resolves once the sync it starts with is done.
 */
export async function openWriter(url: string): Promise<Writer> {
  const writer = await createSyncClient({
    url,
    tables: { benchSmall },
    token: 'propagation-writer',
    store: createMemoryStore(`propagation-writer-${process.pid}`),
    autoSync: { intervalMs: 3_600_000, live: false },
  });
  const synced = new Promise<void>((resolve) => {
    const off = writer.on('sync', () => {
      off();
      resolve();
    });
  });
  await within(synced, 30_000, "the writer's first sync");
  return writer;
}

/**
 * Inserts a row of `category` titled `title` through the client API, as an app does;
 * answers when (on `wallNow()`'s clock) the push that sent it was answered.
 */
export async function write(writer: Writer, title: string, category: string): Promise<number> {
  let answered = 0;
  const pushed = new Promise<void>((resolve, reject) => {
    const off = writer.on('push', (result) => {
      answered = wallNow();
      off();
      if (result.status === 'complete' && result.pushed === 1) resolve();
      else reject(new Error(`the writer's push: ${result.status} ${result.message ?? ''}`));
    });
  });
  await writer.table('benchSmall').insert({
    title,
    body: `Written by the propagation benchmark: ${title}`,
    category,
    score: 0,
    quantity: 1,
  });
  await within(pushed, 30_000, "the writer's push");
  return answered;
}

/** `promise`, or a failure naming `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
