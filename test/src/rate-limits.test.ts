import { describe, expect, it, onTestFinished } from 'vitest';
import { type FetchLike, openChangeStream } from './support/change-stream';
import { databaseKinds } from './support/databases';
import { REJECTED_TOKEN, TEST_USER_HEADER, useTestGateway } from './support/gateway-client';
import { metric, scrape } from './support/metrics';
import { openTestClient, TestNetwork } from './support/sync-client';

const pglite = databaseKinds[0] as (typeof databaseKinds)[number];
const URL_IN_PROCESS = 'http://gateway.test/graphql';
const PULL = JSON.stringify({ query: '{ pullTodoItems { rows { id } } }' });

/** Rate limits are per process and per user; the database behind them makes no difference. */
describe('rate limits', () => {
  const suite = useTestGateway(pglite, {
    rateLimits: { requestsPerMinute: 2, streamsPerMinute: 1 },
    metrics: true,
  });
  const pull = (headers: Record<string, string>) => suite.gateway.request(PULL, headers);

  it('answers a user over the budget 429 with Retry-After and LIMIT_EXCEEDED; others go on', async () => {
    const carol = { [TEST_USER_HEADER]: 'carol' };
    expect((await pull(carol)).status).toBe(200);
    expect((await pull(carol)).status).toBe(200);
    const limitedBefore = metric(
      (await scrape(suite.gateway)).text,
      'syncline_rate_limited_total',
      {
        budget: 'requests',
      },
    );

    const refused = await pull(carol);
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as { errors: { message: string; extensions: object }[] };
    expect(body.errors).toEqual([
      {
        message: `request: too many requests: the limit is 2 a minute per user; try again in ${wait} s`,
        extensions: { code: 'LIMIT_EXCEEDED', field: 'request' },
      },
    ]);
    expect(
      metric((await scrape(suite.gateway)).text, 'syncline_rate_limited_total', {
        budget: 'requests',
      }),
    ).toBe((limitedBefore ?? 0) + 1);

    // Another user has a budget of their own.
    expect((await pull({ [TEST_USER_HEADER]: 'dave' })).status).toBe(200);
  });

  it('gives opening change streams a budget of their own', async () => {
    const open = () =>
      openChangeStream(suite.gateway.yoga.fetch as FetchLike, URL_IN_PROCESS, { user: 'erin' });
    const first = await open();
    onTestFinished(() => first.close());
    expect(first.status).toBe(200);
    const second = await open();
    onTestFinished(() => second.close());
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await second.until('the refusal', () => second.events.length > 0);
    expect(second.events[0]?.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    // Streams did not spend erin's request budget.
    expect((await pull({ [TEST_USER_HEADER]: 'erin' })).status).toBe(200);
  });

  it('limits requests whose token is refused by their address, before answering 401', async () => {
    const rejected = { authorization: `Bearer ${REJECTED_TOKEN}` };
    expect((await pull(rejected)).status).toBe(401);
    expect((await pull(rejected)).status).toBe(401);
    const refused = await pull(rejected);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    // A signed-in user from the same address is counted as themselves.
    expect((await pull({ [TEST_USER_HEADER]: 'frank' })).status).toBe(200);
  });

  it('reaches the client: a 429 keeps the queue, and the push and pull say how long to wait', async () => {
    const user = `grace-${crypto.randomUUID()}`;
    const network = new TestNetwork(suite.gateway);
    const client = await openTestClient({ network, user });
    onTestFinished(() => client.close());
    const todos = client.table('todoItem');
    await todos.insert({ text: 'first' });
    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 1 });
    await todos.insert({ text: 'second' });
    expect(await client.push()).toMatchObject({ status: 'complete', pushed: 1 });

    await todos.insert({ text: 'third' });
    const limited = await client.push();
    expect(limited).toMatchObject({ status: 'server-error', pushed: 0, errors: [] });
    expect(limited.message).toContain('too many requests');
    expect(limited.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(client.pendingOperations()).toBe(1);
    // A pull is refused the same way, and says so too.
    const pulled = await todos.pull('mine');
    expect(pulled).toMatchObject({ status: 'server-error' });
    expect(pulled.retryAfterMs).toBeGreaterThanOrEqual(1000);
  });
});
