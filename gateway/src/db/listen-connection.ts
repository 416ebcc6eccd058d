import pg from 'pg';
import type { Logger } from 'pino';

export interface ListenConnectionOptions {
  config: pg.ClientConfig;
  channel: string;
  onMessage: (payload: string) => void;
  /** LISTEN is in force again after the connection was lost; what was sent meanwhile is lost. */
  onResume: () => void;
  /** The connection was lost (it reconnects by itself). */
  onLost?: (error: unknown) => void;
  logger: Logger;
}

const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 5_000;

/**
 * A connection of its own that LISTENs on one channel, and comes back by itself: when it
 * dies (the server restarted, the network failed), it reconnects with backoff (0.1 s,
 * doubling, at most 5 s apart), LISTENs again and calls `onResume`. After `start()` it
 * never throws: failures are logged, and `stop()` ends it for good.
 */
export class ListenConnection {
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: ListenConnectionOptions) {}

  /** Connects and LISTENs; rejects when that fails, and then does not retry. */
  async start(): Promise<void> {
    this.attach(await this.open());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async open(): Promise<pg.Client> {
    const { config, channel, onMessage } = this.options;
    const client = new pg.Client(config);
    client.on('notification', (message) => {
      if (message.channel === channel) onMessage(message.payload ?? '');
    });
    // Without a listener, a connection error would be thrown out of the event loop.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`listen ${client.escapeIdentifier(channel)}`);
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  }

  /** Keeps `client` as the live connection; false (and ends it) once stopped. */
  private attach(client: pg.Client): boolean {
    if (this.stopped) {
      void client.end().catch(() => {});
      return false;
    }
    this.client = client;
    return true;
  }

  private lost(client: pg.Client, error?: Error): void {
    // Only the live connection counts: not one still connecting, nor one already given up.
    if (client !== this.client) return;
    this.client = undefined;
    this.options.onLost?.(error ?? new Error('the LISTEN connection ended'));
    this.options.logger.warn(
      { err: error },
      'the LISTEN connection to the database was lost; reconnecting',
    );
    void client.end().catch(() => {});
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.stopped) return;
    const delay = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failures);
    this.retry = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    let client: pg.Client;
    try {
      client = await this.open();
    } catch (error) {
      this.failures++;
      this.options.logger.debug({ err: error }, 'the LISTEN connection could not reconnect yet');
      this.reconnectLater();
      return;
    }
    if (!this.attach(client)) return;
    this.failures = 0;
    this.options.logger.info('the LISTEN connection to the database is back');
    this.options.onResume();
  }
}
