import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { useTestGateway } from './support/gateway-client';
import { newOpId, pullAll, push, pushRaw, todo } from './support/sync-calls';

const ROW = 'id version text complete userId deleted';

/**
 * Bob tries every entry point against Alice's rows. Nothing of hers may leak, nothing may
 * change, and no answer may tell him whether a row of hers exists: for each probe, her
 * row's id and an id nobody has get the same answer.
 */
describe.each(databaseKinds)('per-user rows: Bob against Alice, on $name', (kind) => {
  const suite = useTestGateway(kind);
  const alice = (tag: string) => `${tag}-alice`;
  const nobody = (tag: string) => `${tag}-nobody`;

  async function aliceRows() {
    return (await pullAll(suite.gateway, 'pullTodoItems', null, { fields: ROW, user: 'alice' }))
      .rows;
  }

  /** Alice's row `tag`-alice, at version 2, and the opId she used to update it. */
  async function aliceHas(tag: string) {
    const update = todo('UPDATE', alice(tag), { version: 1, data: { text: 'secret v2' } });
    await push(suite.gateway, [todo('INSERT', alice(tag), { data: { text: 'secret' } }), update]);
    return update.todoItem.opId;
  }

  /** Bob's answer for Alice's id and for an id nobody has, with the ids blanked out. */
  async function probe(tag: string, ask: (id: string) => Promise<unknown>) {
    const blank = (answer: unknown, id: string) =>
      JSON.parse(JSON.stringify(answer).replaceAll(id, '<id>'));
    return {
      hers: blank(await ask(alice(tag)), alice(tag)),
      nobodys: blank(await ask(nobody(tag)), nobody(tag)),
    };
  }

  it('pulls, with and without filters, never return her rows', async () => {
    await aliceHas('pull');
    const before = await aliceRows();
    const asBob = (where?: object) =>
      pullAll(suite.gateway, 'pullTodoItems', null, {
        fields: ROW,
        user: 'bob',
        ...(where ? { where } : {}),
      });
    expect((await asBob()).rows).toEqual([]);
    expect((await asBob({ id: { eq: alice('pull') } })).rows).toEqual([]);
    expect((await asBob({ text: { contains: 'secret' } })).rows).toEqual([]);
    expect(
      (await asBob({ or: [{ id: { in: [alice('pull')] } }, { version: { gte: 0 } }] })).rows,
    ).toEqual([]);
    const byOwner = await suite.gateway.graphql(
      '{ pullTodoItems(where: { userId: { eq: "alice" } }) { rows { id } } }',
      {},
      'bob',
    );
    expect(byOwner.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await aliceRows()).toEqual(before);
  });

  it('a lookup answers null, as for an id nobody has', async () => {
    await aliceHas('lookup');
    const answers = await probe('lookup', (id) =>
      suite.gateway.data(`query($id: ID!) { todoItem(id: $id) { ${ROW} } }`, { id }, 'bob'),
    );
    expect(answers.hers).toEqual({ todoItem: null });
    expect(answers.hers).toEqual(answers.nobodys);
  });

  it('direct updates and deletes answer NOT_FOUND, as for an id nobody has, and change nothing', async () => {
    await aliceHas('direct');
    const before = await aliceRows();
    const update = await probe('direct', (id) =>
      suite.gateway.data(
        `mutation($id: ID!) { updateTodoItem(id: $id, version: 2, patch: { text: "bob was here" }, opId: "${newOpId()}") { status code message row { id } } }`,
        { id },
        'bob',
      ),
    );
    expect(update.hers).toMatchObject({
      updateTodoItem: { status: 'CONFLICT', code: 'NOT_FOUND', row: null },
    });
    expect(JSON.stringify(update.hers).replace(/"op-[^"]+"/g, '')).toEqual(
      JSON.stringify(update.nobodys).replace(/"op-[^"]+"/g, ''),
    );
    const remove = await probe('direct', (id) =>
      suite.gateway.data(
        'mutation($id: ID!) { deleteTodoItem(id: $id, version: 2) { status code message row { id } } }',
        { id },
        'bob',
      ),
    );
    expect(remove.hers).toMatchObject({
      deleteTodoItem: { status: 'CONFLICT', code: 'NOT_FOUND', row: null },
    });
    expect(remove.hers).toEqual(remove.nobodys);
    expect(await aliceRows()).toEqual(before);
  });

  it('pushed updates and deletes answer NOT_FOUND, as for an id nobody has, and change nothing', async () => {
    await aliceHas('push');
    const before = await aliceRows();
    for (const kind of ['UPDATE', 'DELETE'] as const) {
      const answers = await probe('push', async (id) => {
        const [outcome] = await push(
          suite.gateway,
          [todo(kind, id, { version: 2, ...(kind === 'UPDATE' ? { data: { text: 'bob' } } : {}) })],
          'bob',
        );
        return { ...outcome, opId: null };
      });
      expect(answers.hers).toMatchObject({ status: 'CONFLICT', code: 'NOT_FOUND', row: null });
      expect(answers.hers).toEqual(answers.nobodys);
    }
    expect(await aliceRows()).toEqual(before);
  });

  it('an insert on her id is refused without her row, and cannot take her owner value', async () => {
    await aliceHas('insert');
    const before = await aliceRows();
    const [taken] = await push(
      suite.gateway,
      [todo('INSERT', alice('insert'), { data: { text: 'mine now' } })],
      'bob',
    );
    expect(taken).toMatchObject({ status: 'REJECTED', code: 'FORBIDDEN', row: null });
    expect(JSON.stringify(taken)).not.toContain('secret');
    const asAlice = await pushRaw(
      suite.gateway,
      [todo('INSERT', 'bob-as-alice', { data: { text: 'x', userId: 'alice' } })],
      'bob',
    );
    expect(asAlice.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const direct = await suite.gateway.graphql(
      'mutation { insertTodoItem(input: { id: "bob-direct", text: "x", userId: "alice" }) { status } }',
      {},
      'bob',
    );
    expect(direct.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await aliceRows()).toEqual(before);
    expect(
      (await pullAll(suite.gateway, 'pullTodoItems', null, { fields: ROW, user: 'bob' })).rows,
    ).toEqual([]);
  });

  it('replaying her opId gives Bob his own outcome, never hers', async () => {
    const opId = await aliceHas('replay');
    const before = await aliceRows();
    const [outcome] = await push(
      suite.gateway,
      [
        {
          todoItem: { opId, kind: 'UPDATE', id: alice('replay'), version: 1, data: { text: 'x' } },
        },
      ],
      'bob',
    );
    expect(outcome).toMatchObject({ opId, status: 'CONFLICT', code: 'NOT_FOUND', row: null });
    expect(await aliceRows()).toEqual(before);
  });

  it('table access holds on every entry point, the batched push included', async () => {
    const models = await pullAll(suite.gateway, 'pullVehicleModels', null, {
      fields: 'id version accoladeCount',
      user: 'bob',
    });
    const [write] = await push(
      suite.gateway,
      [
        {
          vehicleModel: {
            opId: newOpId(),
            kind: 'UPDATE',
            id: 'vm-volvo-fh16',
            version: 1,
            data: { accoladeCount: 9999 },
          },
        },
      ],
      'bob',
    );
    expect(write).toMatchObject({ status: 'REJECTED', code: 'FORBIDDEN' });
    const direct = await suite.gateway.graphql(
      'mutation { updateVehicleModel(id: "vm-volvo-fh16", version: 1, patch: { accoladeCount: 9999 }) { status } }',
      {},
      'bob',
    );
    expect(direct.errors?.[0]?.message).toContain('Cannot query field "updateVehicleModel"');
    const readCommands = await suite.gateway.graphql(
      '{ pullVehicleModelUpdates { rows { id } } }',
      {},
      'bob',
    );
    expect(readCommands.errors?.[0]?.message).toContain(
      'Cannot query field "pullVehicleModelUpdates"',
    );
    const lookupCommand = await suite.gateway.graphql(
      '{ vehicleModelUpdate(id: "x") { id } }',
      {},
      'bob',
    );
    expect(lookupCommand.errors?.[0]?.message).toContain('Cannot query field "vehicleModelUpdate"');
    const hint = await suite.gateway.graphql(
      'subscription { changes(tables: ["vehicleModelUpdate"]) { table } }',
      {},
      'bob',
    );
    expect(hint.errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringContaining('tables[0]'),
    });
    expect(
      (
        await pullAll(suite.gateway, 'pullVehicleModels', null, {
          fields: 'id version accoladeCount',
          user: 'bob',
        })
      ).rows,
    ).toEqual(models.rows);
  });

  it("moved-out ids name only the caller's own rows", async () => {
    // A Bob with rows of his own: the other tests count on Bob having none.
    const bob = 'bob-with-rows';
    const open = { complete: { eq: false } };
    const asBob = (after: string | null, where?: object) =>
      pullAll(suite.gateway, 'pullTodoItems', after, {
        fields: ROW,
        user: bob,
        ...(where ? { where } : {}),
      });
    await push(suite.gateway, [todo('INSERT', 'bob-own', { data: { text: 'mine' } })], bob);
    const bobAll = await asBob(null);
    const bobOpen = await asBob(null, open);
    const bobFilters = [{ id: { eq: alice('moved') } }, { text: { contains: 'secret' } }];
    const bobOthers = await Promise.all(bobFilters.map((where) => asBob(null, where)));
    const aliceOpen = await pullAll(suite.gateway, 'pullTodoItems', null, { where: open });

    // Her rows leave her filters every way there is: completed, deleted, given to carol.
    await aliceHas('moved');
    await push(suite.gateway, [
      todo('UPDATE', alice('moved'), { version: 2, data: { complete: true } }),
      todo('INSERT', alice('gone'), { data: { text: 'secret' } }),
      todo('INSERT', alice('given'), { data: { text: 'secret' } }),
    ]);
    await push(suite.gateway, [todo('DELETE', alice('gone'), { version: 1 })]);
    await suite.db.database.db.execute(
      sql`update todo_item set user_id = 'carol' where id = ${alice('given')}`,
    );
    // And bob's own row leaves his open filter.
    await push(
      suite.gateway,
      [todo('UPDATE', 'bob-own', { version: 1, data: { complete: true } })],
      bob,
    );

    expect(await asBob(bobAll.cursor)).toMatchObject({ rows: [{ id: 'bob-own' }], movedOut: [] });
    expect(await asBob(bobOpen.cursor, open)).toMatchObject({ rows: [], movedOut: ['bob-own'] });
    for (const [index, where] of bobFilters.entries()) {
      const after = bobOthers[index]?.cursor ?? null;
      // bob-own changed too, and matches neither filter: his own id, never hers.
      expect(await asBob(after, where)).toMatchObject({ rows: [], movedOut: ['bob-own'] });
    }
    // She hears of her own rows, and carol gets the one given to her.
    const aliceNext = await pullAll(suite.gateway, 'pullTodoItems', aliceOpen.cursor, {
      fields: ROW,
      where: open,
    });
    expect(aliceNext.movedOut).toEqual([alice('moved'), alice('given')]);
    expect(aliceNext.rows).toMatchObject([{ id: alice('gone'), deleted: true }]);
    const carol = await pullAll(suite.gateway, 'pullTodoItems', null, {
      fields: ROW,
      user: 'carol',
    });
    expect(carol.rows.map((row) => row.id)).toEqual([alice('given')]);
  });
});
