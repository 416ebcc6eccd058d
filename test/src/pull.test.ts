import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { useTestGateway } from './support/gateway-client';
import { pullAll, pullPage, push, todo } from './support/sync-calls';

describe.each(databaseKinds)('pull on $name', (kind) => {
  const suite = useTestGateway(kind);

  it('returns every change once, in change order, across pages', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `o${String(i).padStart(2, '0')}`);
    await push(
      suite.gateway,
      ids.map((id) => todo('INSERT', id, { data: { text: id } })),
    );
    const pages: number[] = [];
    let cursor: string | null = null;
    const seen: string[] = [];
    for (;;) {
      const page = await pullPage(
        suite.gateway,
        'pullTodoItems',
        { after: cursor, limit: 10 },
        'id',
      );
      pages.push(page.rows.length);
      seen.push(...page.rows.map((row) => row.id as string));
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    expect(pages).toEqual([10, 10, 5]);
    expect(seen).toEqual(ids);
    // Nothing changed since: the cursor returns nothing, and so does the one that answer
    // gives. (Not always the same cursor: on a Postgres server, other databases'
    // transactions move a pull's snapshot on.)
    const again = await pullPage(suite.gateway, 'pullTodoItems', { after: cursor }, 'id');
    expect(again).toMatchObject({ rows: [], hasMore: false, movedOut: [] });
    const after = { after: again.cursor };
    const still = await pullPage(suite.gateway, 'pullTodoItems', after, 'id');
    expect(still).toMatchObject({ rows: [], hasMore: false, movedOut: [] });
  });

  it('answers several pages in one request, each the page a pull of one page gives', async () => {
    const query = `query($after: Cursor, $pages: Int) {
      pullTodoItemPages(after: $after, limit: 2, pages: $pages) { rows { id } cursor hasMore }
    }`;
    type Pages = {
      pullTodoItemPages: { rows: { id: string }[]; cursor: string; hasMore: boolean }[];
    };
    const ask = (variables: Record<string, unknown>) => suite.gateway.data<Pages>(query, variables);
    // Asked for more pages than the gateway answers (10): 10 pages, the last with more.
    const first = (await ask({ pages: 50 })).pullTodoItemPages;
    expect(first.map((page) => [page.rows.length, page.hasMore])).toEqual(
      Array.from({ length: 10 }, () => [2, true]),
    );
    let cursor: string | null = null;
    for (const page of first.slice(0, 3)) {
      const one = await pullPage(suite.gateway, 'pullTodoItems', { after: cursor, limit: 2 }, 'id');
      expect(one.rows).toEqual(page.rows);
      expect(one.hasMore).toBe(page.hasMore);
      cursor = page.cursor;
    }
    const rest = (await ask({ after: first.at(-1)?.cursor })).pullTodoItemPages;
    expect(rest.map((page) => [page.rows.map((row) => row.id), page.hasMore])).toEqual([
      [['o20', 'o21'], true],
      [['o22', 'o23'], true],
      [['o24'], false],
    ]);
  });

  it('returns only what changed after the cursor, updates and tombstones included', async () => {
    const { cursor } = await pullAll(suite.gateway, 'pullTodoItems');
    await push(suite.gateway, [
      todo('UPDATE', 'o03', { version: 1, data: { complete: true } }),
      todo('DELETE', 'o07', { version: 1 }),
      todo('INSERT', 'o99', { data: { text: 'new' } }),
    ]);
    const { rows } = await pullAll(suite.gateway, 'pullTodoItems', cursor, {
      fields: 'id version complete deleted text',
    });
    expect(rows).toEqual([
      { id: 'o03', version: 2, complete: true, deleted: false, text: 'o03' },
      { id: 'o07', version: 2, complete: false, deleted: true, text: 'o07' },
      { id: 'o99', version: 1, complete: false, deleted: false, text: 'new' },
    ]);
  });

  it('carries a row changed twice once, at its latest position', async () => {
    const { cursor } = await pullAll(suite.gateway, 'pullTodoItems');
    await push(suite.gateway, [todo('UPDATE', 'o01', { version: 1, data: { text: 'a' } })]);
    await push(suite.gateway, [todo('UPDATE', 'o02', { version: 1, data: { text: 'b' } })]);
    await push(suite.gateway, [todo('UPDATE', 'o01', { version: 2, data: { text: 'c' } })]);
    const { rows } = await pullAll(suite.gateway, 'pullTodoItems', cursor, { fields: 'id text' });
    expect(rows).toEqual([
      { id: 'o02', text: 'b' },
      { id: 'o01', text: 'c' },
    ]);
  });

  it('filters with every operator, as bound parameters', async () => {
    await push(suite.gateway, [
      todo('INSERT', 'f1', { data: { text: "it's 50% done", dueDate: '2026-05-01T08:00:00Z' } }),
      todo('INSERT', 'f2', {
        data: { text: 'pump check', complete: true, dueDate: '2026-06-01T08:00:00.000Z' },
      }),
      todo('INSERT', 'f3', { data: { text: 'no due date' } }),
    ]);
    const ids = async (where: object) =>
      (await pullAll(suite.gateway, 'pullTodoItems', null, { where, fields: 'id' })).rows
        .map((row) => row.id as string)
        .filter((id) => id.startsWith('f'))
        .sort();
    expect(await ids({ id: { in: ['f1', 'f3'] } })).toEqual(['f1', 'f3']);
    expect(await ids({ id: { in: [] } })).toEqual([]);
    expect(await ids({ text: { contains: "'s 50%" } })).toEqual(['f1']);
    expect(await ids({ text: { contains: "'; drop table todo_item; --" } })).toEqual([]);
    expect(await ids({ complete: { eq: true }, id: { gte: 'f1' } })).toEqual(['f2']);
    expect(await ids({ complete: { ne: true }, id: { gte: 'f1' } })).toEqual(['f1', 'f3']);
    expect(await ids({ dueDate: { isNull: true }, id: { gte: 'f1' } })).toEqual(['f3']);
    expect(await ids({ dueDate: { isNull: false } })).toEqual(['f1', 'f2']);
    expect(await ids({ dueDate: { lt: '2026-05-15T00:00:00Z' } })).toEqual(['f1']);
    expect(await ids({ dueDate: { lte: '2026-06-01T08:00:00Z' } })).toEqual(['f1', 'f2']);
    expect(await ids({ dueDate: { gt: '2026-05-01T08:00:00Z' } })).toEqual(['f2']);
    expect(await ids({ dueDate: { ne: '2026-05-01T08:00:00Z' }, id: { gte: 'f1' } })).toEqual([
      'f2',
      'f3',
    ]);
    expect(
      await ids({
        or: [
          { id: { eq: 'f1' } },
          { and: [{ complete: { eq: true } }, { text: { contains: 'pump' } }] },
        ],
      }),
    ).toEqual(['f1', 'f2']);
    expect(await ids({ version: { gt: 1 }, id: { gte: 'f1' } })).toEqual([]);
  });

  it('pulls reference data with a filter', async () => {
    const { rows } = await pullAll(suite.gateway, 'pullVehicleManufacturers', null, {
      where: { country: { eq: 'Germany' } },
      fields: 'name country',
    });
    expect(rows.map((row) => row.name).sort()).toEqual(['MAN', 'Mercedes-Benz']);
  });

  it('shows each user only their own rows of an owned table', async () => {
    await push(suite.gateway, [todo('INSERT', 'bob-1', { data: { text: "bob's" } })], 'bob');
    const bob = await pullAll(suite.gateway, 'pullTodoItems', null, {
      fields: 'id userId',
      user: 'bob',
    });
    expect(bob.rows).toEqual([{ id: 'bob-1', userId: 'bob' }]);
    const alice = await pullAll(suite.gateway, 'pullTodoItems', null, {
      fields: 'id',
      user: 'alice',
    });
    expect(alice.rows.map((row) => row.id)).not.toContain('bob-1');
    const lookup = await suite.gateway.data<{ todoItem: unknown }>(
      '{ todoItem(id: "bob-1") { id } }',
      {},
      'alice',
    );
    expect(lookup.todoItem).toBeNull();
  });

  it('looks up one row by id, tombstones included', async () => {
    const found = await suite.gateway.data<{ todoItem: unknown }>(
      '{ todoItem(id: "o07") { id deleted version } }',
    );
    expect(found.todoItem).toEqual({ id: 'o07', deleted: true, version: 2 });
    const none = await suite.gateway.data<{ todoItem: unknown }>(
      '{ todoItem(id: "nothing") { id } }',
    );
    expect(none.todoItem).toBeNull();
  });

  it('offers no pull of a write-only table', async () => {
    const result = await suite.gateway.graphql('{ pullVehicleModelUpdates { cursor } }');
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(result.errors?.[0]?.message).toContain('Cannot query field "pullVehicleModelUpdates"');
  });

  it('refuses bad limits and cursors with a code and the field', async () => {
    const cases: [string, string, string][] = [
      [
        '{ pullTodoItems(limit: 0) { cursor } }',
        'BAD_USER_INPUT',
        'limit: must be at least 1, got 0',
      ],
      [
        '{ pullTodoItems(limit: -5) { cursor } }',
        'BAD_USER_INPUT',
        'limit: must be at least 1, got -5',
      ],
      [
        '{ pullTodoItemPages(pages: 0) { cursor } }',
        'BAD_USER_INPUT',
        'pages: must be at least 1, got 0',
      ],
      [
        '{ pullTodoItemPages(limit: 1001) { cursor } }',
        'LIMIT_EXCEEDED',
        'limit: at most 1000 rows a page, got 1001',
      ],
      [
        '{ pullTodoItems(limit: 1001) { cursor } }',
        'LIMIT_EXCEEDED',
        'limit: at most 1000 rows a page, got 1001',
      ],
      [
        '{ pullTodoItems(after: "garbage!") { cursor } }',
        'BAD_USER_INPUT',
        'after: is not a cursor returned by this gateway',
      ],
      [
        '{ pullTodoItems(after: "YzE6dG9kb0l0ZW06MTp4") { cursor } }',
        'BAD_USER_INPUT',
        'after: is not a cursor returned by this gateway',
      ],
    ];
    for (const [query, code, message] of cases) {
      const result = await suite.gateway.graphql(query);
      expect(result.errors?.[0], query).toMatchObject({ message, extensions: { code } });
    }
    const { cursor } = await pullAll(suite.gateway, 'pullVehicleModels', null, { fields: 'id' });
    const wrongTable = await suite.gateway.graphql(
      'query($c: Cursor) { pullTodoItems(after: $c) { cursor } }',
      { c: cursor },
    );
    expect(wrongTable.errors?.[0]).toMatchObject({
      message: 'after: is a cursor of table vehicleModel, not todoItem',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('refuses filters that are too deep or too wide with LIMIT_EXCEEDED', async () => {
    let where: object = { id: { eq: 'x' } };
    for (let i = 0; i < 6; i++) where = { and: [where] };
    const deep = await suite.gateway.graphql(
      'query($w: TodoItemWhere) { pullTodoItems(where: $w) { cursor } }',
      { w: where },
    );
    expect(deep.errors?.[0]).toMatchObject({ extensions: { code: 'LIMIT_EXCEEDED' } });
    expect(deep.errors?.[0]?.message).toMatch(/^where(\.and\[0\])+: and\/or nest at most 4 deep$/);
    const wide = await suite.gateway.graphql(
      'query($w: TodoItemWhere) { pullTodoItems(where: $w) { cursor } }',
      {
        w: { id: { in: Array.from({ length: 1001 }, (_, i) => `id${i}`) } },
      },
    );
    expect(wide.errors?.[0]).toMatchObject({
      message: 'where.id.in: at most 1000 values',
      extensions: { code: 'LIMIT_EXCEEDED' },
    });
  });
});
