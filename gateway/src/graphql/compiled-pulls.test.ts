import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import {
  answerOfText,
  describeSyncTable,
  exampleTables,
  pullDocument,
  readAnswer,
  tableNames,
  todoItem,
} from '@syncline/schema';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MEMORY, openDatabase, type SyncDatabase } from '../db/database';
import { exampleMigrations } from '../db/migrations';
import { seedExampleData } from '../db/seed';
import { ChangeHub } from '../sync/change-hub';
import { PART_BYTES } from '../sync/json-rows';
import { serveTables } from '../sync/tables';
import { planPull, useCompiledPulls } from './compiled-pulls';
import { createSchema } from './create-schema';
import { DEFAULT_LIMITS } from './limits';
import { STREAM_FROM_BYTES } from './pull-stream';

/** The pull the client sends, from the one place the client takes it. */
const clientPull = pullDocument(describeSyncTable(todoItem));
/** One page, every field, as another GraphQL client would ask for it. */
const onePull = `query($after: Cursor, $limit: Int, $where: TodoItemWhere) {
  pullTodoItems(after: $after, limit: $limit, where: $where) {
    rows { ${describeSyncTable(todoItem).fields.join(' ')} } cursor hasMore movedOut
  }
}`;

describe('compiled pulls', () => {
  let database: SyncDatabase;
  let schema: ReturnType<typeof createSchema>;
  /** How the compiled yoga answered each plannable pull: `pullTodoItems:compiled`, ... */
  const paths: string[] = [];
  const yogas = () => {
    const context = () => ({ userId: 'alice' });
    const compiledPulls = useCompiledPulls({
      onPull: (field, path) => paths.push(`${field}:${path}`),
    });
    return {
      plain: createYoga({ schema, context, logging: false, plugins: [useDeferStream()] }),
      compiled: createYoga({
        schema,
        context,
        logging: false,
        plugins: [useDeferStream(), compiledPulls],
      }),
    };
  };
  let both: ReturnType<typeof yogas>;

  function send(
    yoga: ReturnType<typeof yogas>['plain'],
    query: string,
    variables = {},
    accept = '*/*',
  ) {
    return yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify({ query, variables }),
    });
  }

  /** The answer, put together when it came in parts. */
  async function ask(
    yoga: ReturnType<typeof yogas>['plain'],
    query: string,
    variables = {},
    accept = '*/*',
  ) {
    const response = await send(yoga, query, variables, accept);
    // biome-ignore lint/suspicious/noExplicitAny: answers of every shape are compared.
    return { status: response.status, body: (await readAnswer(response)) as any };
  }

  /** The compiled path must answer exactly what GraphQL answers. */
  async function same(query: string, variables = {}) {
    const expected = await ask(both.plain, query, variables);
    expect(await ask(both.compiled, query, variables)).toEqual(expected);
    return expected.body as { data: Record<string, Record<string, unknown>> | null };
  }

  beforeAll(async () => {
    database = await openDatabase({ dataDir: MEMORY });
    await database.migrate(exampleMigrations);
    await seedExampleData(database.db);
    const tables = serveTables(exampleTables);
    schema = createSchema({
      tables,
      db: database.db,
      readRows: database.readRows,
      hub: new ChangeHub(database, () => {}),
      limits: DEFAULT_LIMITS,
      logger: pino({ level: 'silent' }),
    });
    both = yogas();
    const insert = `mutation($id: ID!, $text: String!, $due: DateTime) {
      insertTodoItem(input: { id: $id, text: $text, dueDate: $due }) { status }
    }`;
    for (const [id, due] of [
      ['t1', null],
      ['t2', '2026-05-01T08:30:00Z'],
      ['t3', null],
    ]) {
      await ask(both.plain, insert, { id, text: `to do ${id}`, due });
    }
  });
  afterAll(() => database.close());

  it("plans the client's pull of every table, and leaves anything fancier to GraphQL", () => {
    const plan = (query: string) => planPull(schema, parse(query), undefined);
    for (const table of Object.values(exampleTables)) {
      const described = describeSyncTable(table);
      if (described.access === 'write') continue;
      expect(plan(pullDocument(described)), described.name).not.toBeNull();
    }
    expect(plan('{ pullTodoItems { rows { __typename id } cursor } }')).toBeNull();
    expect(plan('{ pullTodoItems { ...P } } fragment P on TodoItemPage { cursor }')).toBeNull();
    expect(plan('{ pullTodoItems { cursor @include(if: true) } }')).toBeNull();
    expect(plan('{ a: pullTodoItems { cursor } b: pullVehicleModels { cursor } }')).toBeNull();
    expect(plan('{ todoItem(id: "t1") { id } }')).toBeNull();
    expect(plan('{ pullTodoItems { rows { id } rows { text } } }')).toBeNull();
  });

  it('answers pages exactly as GraphQL does, without running the row fields', async () => {
    const rowType = schema.getType(tableNames('todoItem').type) as {
      getFields(): Record<string, { resolve?: unknown }>;
    };
    const idField = rowType.getFields().id as { resolve: (...args: unknown[]) => unknown };
    const first = await same(onePull, { limit: 2 });
    const spy = vi.spyOn(idField, 'resolve');
    await ask(both.compiled, onePull, { limit: 2 });
    expect(spy).not.toHaveBeenCalled();
    await ask(both.plain, onePull, { limit: 2 });
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();

    const page = first.data?.pullTodoItems as { rows: unknown[]; cursor: string; hasMore: boolean };
    expect(page.rows).toHaveLength(2);
    expect(page.hasMore).toBe(true);
    const next = await same(onePull, { after: page.cursor, limit: 2 });
    const nextRows = next.data?.pullTodoItems?.rows as { dueDate: unknown }[];
    expect(nextRows[0]?.dueDate).toBeNull();
    await same(onePull, { where: { dueDate: { isNull: false } } });
  });

  it('answers moved-out ids on the fast path too', async () => {
    const withMovedOut = `query($after: Cursor, $where: TodoItemWhere) {
      pullTodoItems(after: $after, where: $where) { rows { id complete } cursor hasMore movedOut }
    }`;
    expect(planPull(schema, parse(withMovedOut), undefined)).not.toBeNull();
    const open = { complete: { eq: false } };
    const first = await same(withMovedOut, { where: open });
    expect(first.data?.pullTodoItems?.movedOut).toEqual([]);
    const done = `mutation { updateTodoItem(id: "t2", version: 1, patch: { complete: true }) { status } }`;
    expect((await ask(both.plain, done)).body.data.updateTodoItem.status).toBe('APPLIED');

    const pageType = schema.getType(`${tableNames('todoItem').type}Page`) as {
      getFields(): Record<string, { resolve: (...args: unknown[]) => unknown }>;
    };
    const movedOutField = pageType.getFields().movedOut as {
      resolve: (...args: unknown[]) => unknown;
    };
    const spy = vi.spyOn(movedOutField, 'resolve');
    const variables = { after: first.data?.pullTodoItems?.cursor, where: open };
    const compiled = await ask(both.compiled, withMovedOut, variables);
    expect(spy).not.toHaveBeenCalled();
    expect(compiled.body.data.pullTodoItems).toMatchObject({ rows: [], movedOut: ['t2'] });
    expect(await ask(both.plain, withMovedOut, variables)).toEqual(compiled);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    // Aliased, before the cursor and alone on its page.
    const aliased = await same(
      `query($after: Cursor, $where: TodoItemWhere) {
        pullTodoItems(after: $after, where: $where) { gone: movedOut c: cursor }
      }`,
      variables,
    );
    expect(Object.keys(aliased.data?.pullTodoItems ?? {})).toEqual(['gone', 'c']);
    expect(aliased.data?.pullTodoItems?.gone).toEqual(['t2']);
  });

  it('keeps aliases and the order of the selection', async () => {
    const body = await same(
      '{ p: pullVehicleModels(limit: 3) { more: hasMore rows { n: name id year id } c: cursor } }',
    );
    expect(Object.keys(body.data?.p ?? {})).toEqual(['more', 'rows', 'c']);
    const rows = body.data?.p?.rows as object[];
    expect(Object.keys(rows[0] ?? {})).toEqual(['n', 'id', 'year']);
  });

  it('reports errors exactly as GraphQL does, by letting GraphQL answer them', async () => {
    // A variable GraphQL cannot coerce has no code here: the gateway's useErrorCodes adds it.
    const cases: [query: string, variables: object, code: string | undefined, message: RegExp][] = [
      [onePull, { limit: 5000 }, 'LIMIT_EXCEEDED', /limit/i],
      [onePull, { after: 'nonsense' }, 'BAD_USER_INPUT', /cursor/i],
      [onePull, { limit: 'ten' }, undefined, /\$limit/],
      ['{ pullTodoItems(limit: 0) { cursor } }', {}, 'BAD_USER_INPUT', /limit/i],
    ];
    for (const [query, variables, code, message] of cases) {
      paths.length = 0;
      const body = (await same(query, variables)) as unknown as {
        data?: { pullTodoItems: unknown } | null;
        errors?: { message: string; extensions?: { code?: string } }[];
      };
      expect(body.errors, JSON.stringify(variables)).toHaveLength(1);
      expect(body.errors?.[0]?.message).toMatch(message);
      expect(body.errors?.[0]?.extensions?.code).toBe(code);
      expect(body.data?.pullTodoItems ?? null).toBeNull();
      // The compiled attempt failed and GraphQL answered: no compiled page went out.
      expect(paths).toEqual(['pullTodoItems:graphql']);
    }
  });

  it("serves the client's own pull on the compiled path", async () => {
    paths.length = 0;
    const body = await ask(both.compiled, clientPull, { limit: 1, pages: 1 });
    expect(body.body.data.pullTodoItemPages).toHaveLength(1);
    expect(body.body.data.pullTodoItemPages[0].rows).toHaveLength(1);
    expect(paths).toEqual(['pullTodoItemPages:compiled']);
  });

  it('answers several pages as GraphQL does, each page the one a pull of one page gives', async () => {
    const pages = (await same(clientPull, { limit: 2 })).data?.pullTodoItemPages as unknown as {
      rows: { id: string }[];
      cursor: string;
      hasMore: boolean;
    }[];
    const first = (await same(onePull, { limit: 2 })).data?.pullTodoItems;
    expect(pages[0]).toEqual(first);
    const second = (await same(onePull, { limit: 2, after: first?.cursor })).data?.pullTodoItems;
    expect(pages[1]).toEqual(second);
    expect(pages.map((page) => [page.rows.length, page.hasMore])).toEqual([
      [2, true],
      [1, false],
    ]);
    // Fewer pages than the window holds: the last has more. Aliases and order as selected;
    // t2 was updated above, so it comes last.
    const aliased = await same(
      '{ p: pullTodoItemPages(limit: 1, pages: 2) { more: hasMore rows { t: text } } }',
    );
    expect(aliased.data?.p).toEqual([
      { more: true, rows: [{ t: 'to do t1' }] },
      { more: true, rows: [{ t: 'to do t3' }] },
    ]);
    const errors = await same('{ pullTodoItemPages(pages: 0) { cursor } }');
    expect(errors).toMatchObject({
      data: null,
      errors: [
        { message: 'pages: must be at least 1, got 0', extensions: { code: 'BAD_USER_INPUT' } },
      ],
    });
  });

  it("streams the rows of the client's pull in parts of at most PART_BYTES, as GraphQL's @stream does", async () => {
    const insert =
      'mutation($id: ID!, $text: String!) { insertTodoItem(input: { id: $id, text: $text }) { status } }';
    for (let n = 0; n < 40; n++) {
      await ask(both.plain, insert, { id: `s${n}`, text: `${n} ${'a longer text '.repeat(600)}` });
    }
    const variables = { limit: 15, pages: 3 };
    paths.length = 0;
    const response = await send(both.compiled, clientPull, variables, URQL_ACCEPT);
    expect(response.headers.get('content-type')).toBe('multipart/mixed; boundary="-"');
    const text = await response.text();
    expect(text.endsWith('\r\n-----\r\n')).toBe(true);
    const parts = text.split('\r\n---').slice(1, -1);
    const payloads = parts.map((part) => JSON.parse(part.slice(part.indexOf('\r\n\r\n') + 4)));
    // First every page without its rows, then the rows, the last part saying it is the last.
    const first = payloads[0].data.pullTodoItemPages as { rows: unknown[]; cursor: string }[];
    expect(first.map((page) => page.rows)).toEqual([[], [], []]);
    expect(payloads.map((payload) => payload.hasNext)).toEqual([
      ...payloads.slice(1).map(() => true),
      false,
    ]);
    // Each page of rows of about 8 kB (43 rows in all) comes in two parts at least.
    const rowParts = payloads.slice(1).map((payload) => payload.incremental[0]);
    for (const [page, rows] of [15, 15, 13].entries()) {
      const ofPage = rowParts.filter((part) => part.path[1] === page);
      expect(ofPage.length).toBeGreaterThan(1);
      expect(ofPage.map((part) => part.path[3])[0]).toBe(0);
      expect(ofPage.reduce((sum, part) => sum + part.items.length, 0)).toBe(rows);
    }
    for (const part of parts.slice(1)) {
      const length = Number(/Content-Length: (\d+)/.exec(part)?.[1]);
      expect(length).toBe(Buffer.byteLength(part.slice(part.indexOf('\r\n\r\n') + 4)));
      expect(length).toBeLessThan(PART_BYTES + 200);
    }
    // Put together, exactly GraphQL's own answer: streamed by Yoga's executor, or whole.
    const streamed = answerOfText(text, response.headers.get('content-type'));
    const graphql = await send(both.plain, clientPull, variables, URQL_ACCEPT);
    expect(graphql.headers.get('content-type')).toMatch(/multipart\/mixed|text\/event-stream/);
    expect(streamed).toEqual(await readAnswer(graphql));
    const whole = await send(both.compiled, clientPull, variables, 'application/json');
    expect(whole.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await whole.json()).toEqual(streamed);
    expect(paths).toEqual(['pullTodoItemPages:compiled', 'pullTodoItemPages:compiled']);
    // One page (`pull<Table>s`) streams its rows the same way.
    const onePage = onePull.replace('rows {', 'rows @stream {');
    const single = await send(both.compiled, onePage, { limit: 40 }, URQL_ACCEPT);
    expect(single.headers.get('content-type')).toBe('multipart/mixed; boundary="-"');
    const graphqlPage = await ask(both.plain, onePage, { limit: 40 }, URQL_ACCEPT);
    expect(await readAnswer(single)).toEqual(graphqlPage.body);
    expect(graphqlPage.body.data.pullTodoItems.rows).toHaveLength(40);
    // Rows of less than 128 kB go whole, as JSON: one small text beats two parts.
    const small = await send(both.compiled, clientPull, { limit: 5, pages: 2 }, URQL_ACCEPT);
    expect(small.headers.get('content-type')).toBe(
      'application/graphql-response+json; charset=utf-8',
    );
    const smallRows = (await small.json()).data.pullTodoItemPages.flatMap(
      (page: { rows: unknown[] }) => page.rows,
    );
    expect(smallRows).toHaveLength(10);
    expect(Buffer.byteLength(JSON.stringify(smallRows))).toBeLessThan(STREAM_FROM_BYTES);
  });

  it('plans only a plain @stream on rows', () => {
    const plan = (rows: string) =>
      planPull(schema, parse(`{ pullTodoItemPages { ${rows} cursor } }`), undefined)?.answer.stream;
    expect(plan('rows @stream { id }')).toBe(true);
    expect(plan('rows @stream(initialCount: 0, if: true) { id }')).toBe(true);
    expect(plan('rows { id }')).toBe(false);
    expect(plan('rows @stream(initialCount: 2) { id }')).toBeUndefined();
    expect(plan('rows @stream(label: "rows") { id }')).toBeUndefined();
    expect(plan('rows @stream(if: false) { id }')).toBeUndefined();
    expect(plan('rows @defer { id }')).toBeUndefined();
    expect(
      planPull(schema, parse('{ pullTodoItemPages @stream { cursor } }'), undefined),
    ).toBeNull();
  });
});

/** What urql asks for: JSON, or the incremental delivery of server-sent events or multipart. */
const URQL_ACCEPT =
  'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';
