import { answerOfText } from '@syncline/schema';
import type { Random } from '../support/random';
import type { GatewayNode } from './gateway-nodes';

/** How often the load balancer checks which gateways are up. */
const HEALTH_CHECK_MS = 500;

export interface FaultRates {
  /** Share of requests that never reach a gateway. */
  requestLoss: number;
  /** Share of answers lost after the gateway handled the request. */
  answerLoss: number;
  /** Each request waits up to this long before it goes (and so do their answers' effects). */
  maxDelayMs: number;
}

/** What one device's requests saw, and what it does on them. */
export interface NetworkPeer {
  readonly random: Random;
  /** Every GraphQL answer that reached the device. */
  received(data: Record<string, unknown>): void;
  /**
   * Asked before a push goes out: true to reload the page while it is on its way (the
   * request reaches the gateway, the answer never reaches this page).
   */
  reloadsDuringPush(): boolean;
  reload(): void;
}

export interface NetworkCounts {
  requests: number;
  requestsLost: number;
  answersLost: number;
  /** Requests that found no gateway up, or whose gateway went away meanwhile. */
  refused: number;
  /** Change streams opened (the live connections of devices that sync by themselves). */
  streams: number;
  reloadsMidPush: number;
}

/**
 * The network between the devices and the gateways, with a load balancer that sends each
 * request to a gateway that is up. While `faulty`, it loses requests and answers and delays
 * requests at the rates given; once healed it is reliable.
 */
export class FaultyNetwork {
  faulty = true;
  readonly counts: NetworkCounts = {
    requests: 0,
    requestsLost: 0,
    answersLost: 0,
    refused: 0,
    streams: 0,
    reloadsMidPush: 0,
  };

  /** Where the load balancer sends requests: the gateways its last health check found up. */
  #pool: string[] = [];
  readonly #checking: NodeJS.Timeout;

  constructor(
    private readonly rates: FaultRates,
    private readonly nodes: () => readonly GatewayNode[],
  ) {
    // Like a real one, the balancer notices a gateway that went down (or came up) only at
    // its next check: until then, requests still go to a dead gateway and are refused.
    const check = () => {
      this.#pool = this.nodes().flatMap((node) => (node.origin ? [node.origin] : []));
    };
    check();
    this.#checking = setInterval(check, HEALTH_CHECK_MS);
  }

  /** Stops the balancer's health checks. */
  close(): void {
    clearInterval(this.#checking);
  }

  /** The `fetch` a device's client is given. */
  fetchFor(peer: NetworkPeer): typeof fetch {
    return async (input, init) => {
      const { random } = peer;
      this.counts.requests++;
      if (this.faulty && this.rates.maxDelayMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, random.int(0, this.rates.maxDelayMs)));
      }
      // Once healed, the balancer knows at once which gateways are up.
      const pool = this.faulty ? this.#pool : this.nodes().flatMap((node) => node.origin ?? []);
      if (pool.length === 0) {
        this.counts.refused++;
        throw new TypeError('fetch failed: no gateway is up');
      }
      if (this.faulty && random.chance(this.rates.requestLoss)) {
        this.counts.requestsLost++;
        throw new TypeError('fetch failed: the request was lost');
      }
      const origin = random.pick(pool);
      const url = new URL(String(input instanceof Request ? input.url : input));
      const target = `${origin}${url.pathname}${url.search}`;
      if (typeof init?.body === 'string' && init.body.includes('subscription SynclineChanges')) {
        // A change stream: its answer never ends, so it goes through as it comes. It breaks
        // when its gateway goes away, as any connection would.
        this.counts.streams++;
        return fetch(target, init).catch((error: unknown) => {
          this.counts.refused++;
          throw new TypeError(`fetch failed: ${String((error as Error).cause ?? error)}`);
        });
      }
      const isPush = typeof init?.body === 'string' && init.body.includes('SynclinePush');
      const sending = this.#send(target, init);
      if (this.faulty && isPush && peer.reloadsDuringPush()) {
        this.counts.reloadsMidPush++;
        // The page goes away with the request on its way: sometimes before the gateway
        // answered, sometimes after; either way this page never hears the answer.
        if (random.chance(0.5)) await sending.catch(() => undefined);
        else sending.catch(() => undefined);
        peer.reload();
        throw new TypeError('fetch failed: the page was reloaded');
      }
      const answer = await sending;
      if (this.faulty && random.chance(this.rates.answerLoss)) {
        this.counts.answersLost++;
        throw new TypeError('fetch failed: the answer was lost');
      }
      if (answer.json) peer.received(answer.json);
      return new Response(answer.text, { status: answer.status, headers: answer.headers });
    };
  }

  async #send(target: string, init: RequestInit | undefined) {
    let response: Response;
    try {
      response = await fetch(target, { ...init, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      this.counts.refused++;
      throw new TypeError(`fetch failed: ${String((error as Error).cause ?? error)}`);
    }
    const text = await response.text().catch((error: unknown) => {
      this.counts.refused++;
      throw new TypeError(`fetch failed while reading the answer: ${String(error)}`);
    });
    let json: Record<string, unknown> | undefined;
    try {
      // The client's pull comes as multipart/mixed, its rows in parts.
      json = answerOfText(text, response.headers.get('content-type')).data ?? undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }
}
