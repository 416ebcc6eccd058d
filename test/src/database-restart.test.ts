import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, startGatewayProcess } from './support/gateway-process';
import {
  clusterToolsAvailable,
  createThrowawayPostgres,
  type ThrowawayPostgres,
} from './support/throwaway-postgres';

/** What one request of the load got back. */
type Answer =
  | { kind: 'ok' }
  | { kind: 'error'; status: number; code: unknown; body: string }
  | { kind: 'broken'; detail: string };

/**
 * The gateway's Postgres server goes away under load and comes back. The gateway is a real
 * process (`gateway/src/server.ts`) on a throwaway server that only this test uses: the
 * main server of DATABASE_URL is never restarted.
 */
describe.skipIf(!process.env.DATABASE_URL || !clusterToolsAvailable)(
  'the gateway when its Postgres server restarts',
  () => {
    let postgres: ThrowawayPostgres | undefined;
    let gateway: GatewayProcess | undefined;
    let load: Load | undefined;
    const subscriptions: Subscription[] = [];
    beforeAll(async () => {
      postgres = await createThrowawayPostgres();
    });
    afterAll(async () => {
      await load?.stop();
      for (const subscription of subscriptions) subscription.close();
      await gateway?.stop();
      await postgres?.drop();
    });

    it('keeps running, fails requests with a code meanwhile, reconnects, and hints again', async () => {
      const server = postgres as ThrowawayPostgres;
      const started = await startGatewayProcess({ DATABASE_URL: server.url, LOG_LEVEL: 'warn' });
      gateway = started;
      const waitFor = started.waitFor;
      const early = await openChanges(started.url, null);
      subscriptions.push(early);
      const requests = startLoad(started.url, 16);
      load = requests;
      await waitFor('requests succeed under load', () => requests.count('ok') >= 20);
      await waitFor('a hint before the restart', () => heard(early, 'todoItem') > 0);
      expect((await ready(started)).status).toBe(200);

      await server.stop();
      const down = requests.answers.length;
      await waitFor('requests to fail while the database is down', () =>
        requests.answers.slice(down).some((answer) => answer.kind === 'error'),
      );
      await waitFor('/ready to answer 503', async () => (await ready(started)).status === 503);
      expect(JSON.parse((await ready(started)).body)).toEqual({
        ready: false,
        reason: 'the database is unreachable',
      });
      expect(started.running()).toBe(true);

      await server.start();
      const up = requests.answers.length;
      await waitFor('/ready to answer 200', async () => (await ready(started)).status === 200);
      await waitFor('requests to succeed again', () =>
        requests.answers.slice(up).some((answer) => answer.kind === 'ok'),
      );
      // The LISTEN connection came back by itself, and the hub hinted every table, since
      // hints sent meanwhile were lost: nobody writes vehicle manufacturers.
      await waitFor('a catch-up hint on the subscription opened before', () => {
        return heard(early, 'vehicleManufacturer') > 0 && heard(early, 'vehicleModel') > 0;
      });
      // A subscription opened now hears the load's writes: NOTIFYs flow again.
      const late = await openChanges(started.url, ['todoItem']);
      subscriptions.push(late);
      await waitFor('a hint on a subscription opened after', () => heard(late, 'todoItem') > 0);
      await requests.stop();

      expect(started.running()).toBe(true);
      expect(late.notices.length).toBe(heard(late, 'todoItem'));
      expect(early.notices.length).toBe(
        heard(early, 'todoItem') +
          heard(early, 'vehicleManufacturer') +
          heard(early, 'vehicleModel'),
      );
      expect(requests.answers.filter((answer) => answer.kind === 'broken')).toEqual([]);
      const errors = requests.answers.flatMap((answer) =>
        answer.kind === 'error' ? [answer] : [],
      );
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) {
        expect(error.status).toBeLessThan(500);
        expect(typeof error.code).toBe('string');
        // Masked: no SQL, no stack, no driver's words.
        expect(error.body).not.toMatch(/select|insert|update |stack|node_modules|ECONN/i);
      }
    });
  },
);

type Load = ReturnType<typeof startLoad>;
type Subscription = Awaited<ReturnType<typeof openChanges>>;

/** `/ready`'s answer. */
async function ready(gateway: GatewayProcess) {
  const response = await fetch(`${gateway.url}/ready`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

const PUSH = `mutation Push($operations: [PushOperation!]!) { push(operations: $operations) { status } }`;
const PULL = 'query { pullTodoItems(limit: 50) { rows { id } cursor hasMore } }';

/** `workers` loops of pushes and pulls over HTTP, each recording what it got back. */
function startLoad(url: string, workers: number) {
  const answers: Answer[] = [];
  let running = true;
  const worker = async (n: number) => {
    for (let i = 0; running; i++) {
      const id = `restart-${n}-${i}`;
      const operation = { todoItem: { opId: `op-${id}`, kind: 'INSERT', id, data: { text: id } } };
      const body =
        i % 2 === 0
          ? { query: PUSH, variables: { operations: [operation] } }
          : { query: PULL, variables: {} };
      answers.push(await send(`${url}/graphql`, body));
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, n) => worker(n)));
  return {
    answers,
    count: (kind: Answer['kind']) => answers.filter((answer) => answer.kind === kind).length,
    stop: () => {
      running = false;
      return done;
    },
  };
}

async function send(url: string, body: object): Promise<Answer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    const json = JSON.parse(text) as {
      data?: unknown;
      errors?: { extensions?: { code?: unknown } }[];
    };
    if (!json.errors?.length && response.status === 200) return { kind: 'ok' };
    const code = json.errors?.[0]?.extensions?.code;
    return { kind: 'error', status: response.status, code, body: text };
  } catch (error) {
    return { kind: 'broken', detail: String(error) };
  }
}

/** The `changes` subscription over server-sent events; its notices arrive in `notices`. */
async function openChanges(url: string, tables: string[] | null) {
  const controller = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({
      query: 'subscription($tables: [String!]) { changes(tables: $tables) { table cursor } }',
      variables: { tables },
    }),
    signal: controller.signal,
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const notices: { data?: { changes?: { table: string } } }[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  const read = async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      for (let event = buffered.match(/event: next\ndata: (.*)\n\n/); event; ) {
        notices.push(JSON.parse(event[1] as string));
        buffered = buffered.slice((event.index ?? 0) + event[0].length);
        event = buffered.match(/event: next\ndata: (.*)\n\n/);
      }
    }
  };
  void read().catch(() => {});
  return { notices, close: () => controller.abort() };
}

/** How many of the subscription's notices were hints about `table`. */
function heard(subscription: Subscription, table: string): number {
  return subscription.notices.filter((notice) => notice.data?.changes?.table === table).length;
}
