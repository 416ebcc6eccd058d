import { createPubSub } from 'graphql-yoga';
import type { SyncDatabase } from '../db/database';
import { CHANGES_CHANNEL, type ChangeNotice } from './changes';

/**
 * Hears every committed change of every gateway process on the database (LISTEN/NOTIFY)
 * and hands the notices to this process's subscribers.
 */
export class ChangeHub {
  private readonly pubSub = createPubSub<{ change: [ChangeNotice] }>();
  private listening: Promise<() => Promise<void>> | undefined;

  constructor(
    private readonly database: SyncDatabase,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts listening (once); resolves when notices are being heard. */
  start(): Promise<unknown> {
    this.listening ??= this.database.listen(CHANGES_CHANNEL, (payload) => this.receive(payload));
    return this.listening;
  }

  /** Every notice from now on; call `start()` first to be sure none is missed. */
  subscribe(): AsyncIterable<ChangeNotice> {
    return this.pubSub.subscribe('change');
  }

  async stop(): Promise<void> {
    const listening = this.listening;
    this.listening = undefined;
    if (listening === undefined) return;
    const unlisten = await listening;
    await unlisten();
  }

  private receive(payload: string): void {
    try {
      this.pubSub.publish('change', JSON.parse(payload) as ChangeNotice);
    } catch (error) {
      this.onError(error);
    }
  }
}
