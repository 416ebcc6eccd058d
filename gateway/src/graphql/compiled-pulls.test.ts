import {
  describeSyncTable,
  exampleTables,
  pullDocument,
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
import { serveTables } from '../sync/tables';
import { planPull, useCompiledPulls } from './compiled-pulls';
import { createSchema } from './create-schema';
import { DEFAULT_LIMITS } from './limits';

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
      plain: createYoga({ schema, context, logging: false }),
      compiled: createYoga({ schema, context, logging: false, plugins: [compiledPulls] }),
    };
  };
  let both: ReturnType<typeof yogas>;

  async function ask(yoga: ReturnType<typeof yogas>['plain'], query: string, variables = {}) {
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: await response.json() };
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
});
