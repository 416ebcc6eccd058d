import {
  type ConflictHandler,
  createIndexedDbStore,
  createSyncClient,
  type StoreDriver,
  type SyncClient,
  type SyncClientOptions,
} from '@syncline/client';
import { todoItem, vehicleManufacturer, vehicleModel, vehicleModelUpdate } from '@syncline/schema';
// idb checks values against the IndexedDB classes, which Node lacks: install fake-indexeddb's.
import 'fake-indexeddb/auto';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { TestGateway } from './gateway-client';

/** The example model's tables, keyed by name, as an app passes them to the client. */
export const exampleSchema = { todoItem, vehicleManufacturer, vehicleModel, vehicleModelUpdate };
export type ExampleClient = SyncClient<typeof exampleSchema>;

/**
 * What happens to the next request: it never arrives, it is applied and its answer lost, or
 * (`none`) it goes through, to place a fault on a later request.
 */
export type Fault = 'none' | 'request-lost' | 'response-lost' | 'response-cut';

/**
 * The network between a client and the in-process gateway, with faults on demand. A
 * lost response is a request the server fully handled whose answer never came back; a cut
 * one broke off half-way, after its headers and the first half of its body had arrived.
 */
export class TestNetwork {
  /** While true, every request fails as if the device were offline. */
  offline = false;
  /** Requests that reached the server. */
  delivered = 0;
  /** The media type of each answer that was cut. */
  readonly cutAnswers: string[] = [];
  /** Runs while a request is on its way, before the server handles it. */
  inFlight: (() => Promise<void>) | undefined;
  readonly #faults: Fault[] = [];
  /** Answers still arriving (a change stream never stops): `cut` breaks them. */
  readonly #arriving = new Set<TransformStreamDefaultController<Uint8Array>>();

  constructor(private readonly gateway: TestGateway) {}

  /** Faults for the next requests, in order. */
  plan(...faults: Fault[]): void {
    this.#faults.push(...faults);
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (this.offline) throw new TypeError('fetch failed: offline');
    const fault = this.#faults.shift();
    if (fault === 'request-lost') throw new TypeError('fetch failed: the request was lost');
    const hook = this.inFlight;
    this.inFlight = undefined;
    await hook?.();
    const response = await this.gateway.yoga.fetch(String(input), init ?? {});
    this.delivered++;
    if (fault === 'response-lost') {
      await response.arrayBuffer();
      throw new TypeError('fetch failed: the connection dropped before the response');
    }
    if (fault === 'response-cut') return this.#cut(response);
    if (!response.body) return response;
    let arriving: TransformStreamDefaultController<Uint8Array> | undefined;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        start: (controller) => {
          arriving = controller;
          this.#arriving.add(controller);
        },
        flush: () => {
          if (arriving) this.#arriving.delete(arriving);
        },
      }),
    );
    return new Response(body, response);
  };

  async #cut(response: Response): Promise<Response> {
    const bytes = new Uint8Array(await response.arrayBuffer());
    this.cutAnswers.push(response.headers.get('content-type') ?? '');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, Math.floor(bytes.length / 2)));
        controller.error(new TypeError('network error: the connection dropped'));
      },
    });
    return new Response(body, response);
  }

  /** The network goes down: every answer still arriving breaks, and new requests fail. */
  cut(): void {
    this.offline = true;
    for (const arriving of this.#arriving) arriving.error(new TypeError('network error'));
    this.#arriving.clear();
  }
}

/** A device: one IndexedDB (fake-indexeddb) that clients can be opened on again, as after a reload. */
export function testDevice(name = `device-${crypto.randomUUID()}`): StoreDriver {
  return createIndexedDbStore({ name, indexedDB: new IDBFactory(), IDBKeyRange });
}

export type TestClientOptions = Partial<SyncClientOptions<typeof exampleSchema>> & {
  network: TestNetwork;
  user?: string;
  onConflict?: ConflictHandler;
};

/** A client of the test gateway, with auto-sync off unless asked for. */
export function openTestClient(options: TestClientOptions): Promise<ExampleClient> {
  const { network, user = 'alice', ...rest } = options;
  return createSyncClient({
    url: 'http://gateway.test/graphql',
    tables: exampleSchema,
    token: user,
    store: testDevice(),
    fetch: network.fetch,
    autoSync: false,
    ...rest,
  });
}
