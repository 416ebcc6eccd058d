import postgres from 'postgres';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type FetchLike, openChangeStream } from './support/change-stream';
import { databaseKinds } from './support/databases';
import { startGateway, type TestGateway, useTestGateway } from './support/gateway-client';
import { declares, metric, scrape } from './support/metrics';
import { openTestClient, TestNetwork } from './support/sync-client';

const TOKEN = 'metrics-token-for-the-test-suite';
const FAMILIES = [
  'syncline_requests_total',
  'syncline_request_duration_seconds',
  'syncline_pull_rows_total',
  'syncline_compiled_pulls_total',
  'syncline_pull_pages_read_ahead_total',
  'syncline_push_outcomes_total',
  'syncline_conflicts_total',
  'syncline_live_subscribers',
  'syncline_hints_sent_total',
  'syncline_rate_limited_total',
  'syncline_db_pool_connections',
  'syncline_db_pool_max_connections',
  'syncline_db_errors_total',
  'process_cpu_user_seconds_total',
  'nodejs_eventloop_lag_seconds',
];

const newUser = () => `metrics-${crypto.randomUUID()}`;

async function insert(gateway: TestGateway, user: string, text: string) {
  const result = await gateway.data<{ insertTodoItem: { status: string; row: { id: string } } }>(
    'mutation($text: String!) { insertTodoItem(input: { text: $text }) { status row { id } } }',
    { text },
    user,
  );
  return result.insertTodoItem.row.id;
}

/** What moved between two scrapes of one series. */
async function moved(
  gateway: TestGateway,
  name: string,
  labels: Record<string, string>,
  act: () => Promise<unknown>,
) {
  const before = metric((await scrape(gateway)).text, name, labels) ?? 0;
  await act();
  return (metric((await scrape(gateway)).text, name, labels) ?? 0) - before;
}

describe.each(databaseKinds)('metrics on $name', (kind) => {
  const suite = useTestGateway(kind, { metrics: true });

  async function otherGateway(options: Parameters<typeof startGateway>[1]) {
    const gateway = await startGateway(suite.db.database, options);
    onTestFinished(() => gateway.yoga.dispose());
    return gateway;
  }

  it('are off unless asked for, and behind the token when one is set', async () => {
    expect((await scrape(await otherGateway({}))).status).toBe(404);

    const guarded = await otherGateway({ metrics: { token: TOKEN } });
    const refused = await scrape(guarded);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect(refused.text).not.toContain('syncline_');
    expect((await scrape(guarded, { authorization: 'Bearer not-the-token' })).status).toBe(401);
    const allowed = await scrape(guarded, { authorization: `Bearer ${TOKEN}` });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(declares(allowed.text, 'syncline_requests_total')).toBe(true);
  });

  it('declares every family, with help, and the process metrics', async () => {
    const { status, text } = await scrape(suite.gateway);
    expect(status).toBe(200);
    for (const family of FAMILIES) expect(declares(text, family), family).toBe(true);
    const postgresOnly = [
      'syncline_db_pool_idle_connections',
      'syncline_db_pool_waiting_requests',
      'syncline_db_oldest_writing_transaction_seconds',
    ];
    for (const family of postgresOnly) {
      expect(declares(text, family), family).toBe(kind.name === 'postgres');
    }
  });

  it('counts requests by operation and status, with their durations', async () => {
    const labels = { operation: 'pullTodoItems', status: '200' };
    const pull = () => suite.gateway.data('{ pullTodoItems { rows { id } } }');
    expect(await moved(suite.gateway, 'syncline_requests_total', labels, pull)).toBe(1);
    expect(
      await moved(suite.gateway, 'syncline_request_duration_seconds_count', labels, pull),
    ).toBe(1);
    // Refused before a valid document: no operation to name.
    const bad = () => suite.gateway.graphql('{ pullTodoItems { nope } }');
    const { status } = await bad();
    const refused = { operation: 'none', status: String(status) };
    expect(await moved(suite.gateway, 'syncline_requests_total', refused, bad)).toBe(1);
  });

  it('counts the rows pulls send, by table, on the compiled path and the plain one', async () => {
    const user = newUser();
    await insert(suite.gateway, user, 'one');
    await insert(suite.gateway, user, 'two');
    const rows = { table: 'todoItem' };
    const compiled = () => suite.gateway.data('{ pullTodoItems { rows { id } } }', {}, user);
    expect(await moved(suite.gateway, 'syncline_pull_rows_total', rows, compiled)).toBe(2);
    // __typename takes the plain path; the alias moves where the rows are.
    const plain = () =>
      suite.gateway.data('{ page: pullTodoItems { __typename all: rows { id } } }', {}, user);
    expect(await moved(suite.gateway, 'syncline_pull_rows_total', rows, plain)).toBe(2);
  });

  it('answers a later pull of an owned table on the compiled path, whatever field comes first', async () => {
    const user = newUser();
    await insert(suite.gateway, user, 'one');
    const counted = (path: string) => ({ table: 'todoItem', path });
    const pull = (after: string | null) =>
      suite.gateway.data<{ pullTodoItems: { cursor: string; rows: unknown[] } }>(
        'query($after: Cursor) { pullTodoItems(after: $after) { rows { updatedAt id text } cursor movedOut } }',
        { after },
        user,
      );
    const first = await pull(null);
    expect(first.pullTodoItems.rows).toHaveLength(1);
    await insert(suite.gateway, user, 'two');
    // A later pull of an owned table reads the rows moved to another owner too.
    let next: Awaited<ReturnType<typeof pull>> | undefined;
    const later = async () => {
      next = await pull(first.pullTodoItems.cursor);
    };
    expect(
      await moved(suite.gateway, 'syncline_compiled_pulls_total', counted('compiled'), later),
    ).toBe(1);
    expect(next?.pullTodoItems.rows).toMatchObject([{ text: 'two' }]);
  });

  it("answers the client's own pull on the compiled fast path", async () => {
    const network = new TestNetwork(suite.gateway);
    const client = await openTestClient({ network, user: newUser() });
    onTestFinished(() => client.close());
    const counted = (path: string) => ({ table: 'todoItem', path });
    const pull = () => client.table('todoItem').pull('mine');
    // The client sends pullDocument() of @syncline/schema, as the benchmark does.
    expect(
      await moved(suite.gateway, 'syncline_compiled_pulls_total', counted('compiled'), pull),
    ).toBe(1);
    expect(
      await moved(suite.gateway, 'syncline_compiled_pulls_total', counted('graphql'), pull),
    ).toBe(0);
    // Anything fancier is not counted: it never tries the fast path.
    const fancy = () => suite.gateway.data('{ pullTodoItems { __typename cursor } }');
    expect(
      await moved(suite.gateway, 'syncline_compiled_pulls_total', counted('compiled'), fancy),
    ).toBe(0);
  });

  it('counts push outcomes and conflicts by table, status and code', async () => {
    const user = newUser();
    const id = await insert(suite.gateway, user, 'v1');
    const applied = { table: 'todoItem', status: 'APPLIED', code: 'none' };
    const conflict = { table: 'todoItem', status: 'CONFLICT', code: 'VERSION_MISMATCH' };
    const update = (version: number) =>
      suite.gateway.data(
        'mutation($id: ID!, $version: Int!) { updateTodoItem(id: $id, version: $version, patch: { text: "v2" }) { status } }',
        { id, version },
        user,
      );
    expect(
      await moved(suite.gateway, 'syncline_push_outcomes_total', applied, () => update(1)),
    ).toBe(1);
    const before = (await scrape(suite.gateway)).text;
    await update(1);
    const after = (await scrape(suite.gateway)).text;
    const delta = (name: string, labels: Record<string, string>) =>
      (metric(after, name, labels) ?? 0) - (metric(before, name, labels) ?? 0);
    expect(delta('syncline_push_outcomes_total', conflict)).toBe(1);
    expect(delta('syncline_conflicts_total', { table: 'todoItem', code: 'VERSION_MISMATCH' })).toBe(
      1,
    );
  });

  it('counts live subscribers and the hints sent to them', async () => {
    const user = newUser();
    const subscribers = async () =>
      metric((await scrape(suite.gateway)).text, 'syncline_live_subscribers');
    const hints = async () =>
      metric((await scrape(suite.gateway)).text, 'syncline_hints_sent_total', {
        table: 'todoItem',
      }) ?? 0;
    const open = await subscribers();
    const stream = await openChangeStream(
      suite.gateway.yoga.fetch as FetchLike,
      'http://gateway.test/graphql',
      { user, tables: ['todoItem'] },
    );
    onTestFinished(() => stream.close());
    expect(stream.status).toBe(200);
    expect(await subscribers()).toBe((open ?? 0) + 1);

    const sent = await hints();
    await insert(suite.gateway, user, 'hinted');
    await stream.until('a hint', () => stream.events.length > 0);
    expect(await hints()).toBe(sent + 1);

    await stream.close();
    // In process, a cancelled stream ends at its next heartbeat (300 ms here).
    await expect.poll(subscribers, { timeout: 5_000 }).toBe(open);
  });

  it('reads the pool and counts failed database calls by SQLSTATE class', async () => {
    const { text } = await scrape(suite.gateway);
    if (kind.name === 'pglite') {
      expect(metric(text, 'syncline_db_pool_connections')).toBe(1);
      expect(metric(text, 'syncline_db_pool_max_connections')).toBe(1);
    } else {
      expect(metric(text, 'syncline_db_pool_max_connections')).toBe(10);
      expect(metric(text, 'syncline_db_pool_connections')).toBeGreaterThanOrEqual(1);
      expect(metric(text, 'syncline_db_pool_idle_connections')).toBeGreaterThanOrEqual(0);
      expect(metric(text, 'syncline_db_pool_waiting_requests')).toBe(0);
    }

    const db = suite.db.database.db;
    await db.execute(`create or replace function syncline_metrics_explode() returns trigger language plpgsql as
      $$ begin if new.text = 'explode' then raise exception 'disk on fire'; end if; return new; end $$`);
    await db.execute(
      'create trigger metrics_explode before insert on todo_item for each row execute function syncline_metrics_explode()',
    );
    try {
      // raise exception is SQLSTATE P0001.
      const failing = () =>
        suite.gateway.graphql('mutation { insertTodoItem(input: { text: "explode" }) { status } }');
      const errors = await moved(
        suite.gateway,
        'syncline_db_errors_total',
        { sqlstate_class: 'P0' },
        failing,
      );
      expect(errors).toBeGreaterThanOrEqual(1);
    } finally {
      await db.execute('drop trigger metrics_explode on todo_item');
    }
  });

  it.skipIf(kind.name !== 'postgres')(
    'reads the age of the oldest open writing transaction when scraped',
    async () => {
      const other = postgres(suite.db.url as string, { max: 1, onnotice: () => {} });
      onTestFinished(() => other.end());
      const age = async () =>
        metric(
          (await scrape(suite.gateway)).text,
          'syncline_db_oldest_writing_transaction_seconds',
        ) as number;
      await other.begin(async (tx) => {
        // A transaction id is what makes it a writing one: rows it writes wait for it.
        await tx`select pg_current_xact_id()`;
        const [own] =
          await tx`select extract(epoch from clock_timestamp() - xact_start)::float8 as seconds
          from pg_stat_activity where pid = pg_backend_pid()`;
        expect(await age()).toBeGreaterThanOrEqual(own?.seconds as number);
      });
      expect(Number.isFinite(await age())).toBe(true);
    },
  );
});
