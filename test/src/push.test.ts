import { beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { useTestGateway } from './support/gateway-client';
import { newOpId, pullAll, push, pushRaw, todo } from './support/sync-calls';

describe.each(databaseKinds)('push on $name', (kind) => {
  const suite = useTestGateway(kind);

  const serverRow = async (id: string, user = 'alice') =>
    (
      await suite.gateway.data<{ todoItem: Record<string, unknown> | null }>(
        'query($id: ID!) { todoItem(id: $id) { id version text complete deleted } }',
        { id },
        user,
      )
    ).todoItem;

  it('applies inserts, updates and deletes in order, bumping the version each time', async () => {
    const outcomes = await push(suite.gateway, [
      todo('INSERT', 'p1', { data: { text: 'Check pump' } }),
      todo('UPDATE', 'p1', { version: 1, data: { complete: true } }),
      todo('UPDATE', 'p1', { version: 2, data: { text: 'Check pump twice' } }),
    ]);
    expect(outcomes.map((o) => [o.status, o.row?.version])).toEqual([
      ['APPLIED', 1],
      ['APPLIED', 2],
      ['APPLIED', 3],
    ]);
    expect(outcomes[2]?.row).toMatchObject({
      __typename: 'TodoItem',
      text: 'Check pump twice',
      complete: true,
      userId: 'alice',
    });
    const [deleted] = await push(suite.gateway, [todo('DELETE', 'p1', { version: 3 })]);
    expect(deleted).toMatchObject({ status: 'APPLIED', row: { version: 4, deleted: true } });
    expect(await serverRow('p1')).toEqual({
      id: 'p1',
      version: 4,
      text: 'Check pump twice',
      complete: true,
      deleted: true,
    });
  });

  it('answers a stale version with VERSION_MISMATCH and the current row, changing nothing', async () => {
    await push(suite.gateway, [todo('INSERT', 'p2', { data: { text: 'v1' } })]);
    await push(suite.gateway, [
      todo('UPDATE', 'p2', { version: 1, data: { text: 'v2 by tablet' } }),
    ]);
    const [outcome] = await push(suite.gateway, [
      todo('UPDATE', 'p2', { version: 1, data: { text: 'v2 by phone' } }),
    ]);
    expect(outcome).toMatchObject({
      status: 'CONFLICT',
      code: 'VERSION_MISMATCH',
      row: { text: 'v2 by tablet', version: 2 },
    });
    const [stale] = await push(suite.gateway, [todo('DELETE', 'p2', { version: 1 })]);
    expect(stale).toMatchObject({
      status: 'CONFLICT',
      code: 'VERSION_MISMATCH',
      row: { version: 2 },
    });
    expect(await serverRow('p2')).toMatchObject({
      text: 'v2 by tablet',
      version: 2,
      deleted: false,
    });
  });

  it('answers ALREADY_EXISTS, NOT_FOUND and DELETED with the server row', async () => {
    await push(suite.gateway, [todo('INSERT', 'p3', { data: { text: 'first' } })]);
    const outcomes = await push(suite.gateway, [
      todo('INSERT', 'p3', { data: { text: 'second' } }),
      todo('UPDATE', 'missing', { version: 1, data: { text: 'x' } }),
      todo('DELETE', 'missing', { version: 1 }),
      todo('DELETE', 'p3', { version: 1 }),
      todo('UPDATE', 'p3', { version: 2, data: { text: 'after delete' } }),
    ]);
    expect(outcomes.map((o) => [o.status, o.code])).toEqual([
      ['CONFLICT', 'ALREADY_EXISTS'],
      ['CONFLICT', 'NOT_FOUND'],
      ['CONFLICT', 'NOT_FOUND'],
      ['APPLIED', null],
      ['CONFLICT', 'DELETED'],
    ]);
    expect(outcomes[0]?.row).toMatchObject({ id: 'p3', text: 'first' });
    expect(outcomes[1]?.row).toBeNull();
    expect(outcomes[4]?.row).toMatchObject({ id: 'p3', deleted: true, version: 2 });
    expect(await serverRow('p3')).toMatchObject({ text: 'first', deleted: true, version: 2 });
  });

  it('treats deleting a deleted row as APPLIED, leaving the tombstone as it is', async () => {
    await push(suite.gateway, [todo('INSERT', 'p4', { data: { text: 'gone' } })]);
    await push(suite.gateway, [todo('DELETE', 'p4', { version: 1 })]);
    const [again] = await push(suite.gateway, [todo('DELETE', 'p4', { version: 1 })]);
    expect(again).toMatchObject({ status: 'APPLIED', row: { deleted: true, version: 2 } });
    expect(await serverRow('p4')).toMatchObject({ deleted: true, version: 2 });
  });

  it('returns the first outcome for a replayed opId and writes nothing again', async () => {
    const insert = todo('INSERT', 'p5', { data: { text: 'once' } });
    const [first] = await push(suite.gateway, [insert]);
    const update = todo('UPDATE', 'p5', { version: 1, data: { text: 'twice?' } });
    await push(suite.gateway, [update]);
    // The response to both was "lost": the client sends the same operations again.
    const replayed = await push(suite.gateway, [insert, update]);
    expect(replayed[0]).toEqual(first);
    expect(replayed[1]).toMatchObject({ status: 'APPLIED', row: { version: 2, text: 'twice?' } });
    expect(await serverRow('p5')).toMatchObject({ version: 2, text: 'twice?' });
    const { rows } = await pullAll(suite.gateway, 'pullTodoItems', null, {
      where: { id: { eq: 'p5' } },
    });
    expect(rows).toHaveLength(1);
  });

  it('re-evaluates a replayed opId whose first outcome was a conflict: it changed nothing', async () => {
    await push(suite.gateway, [todo('INSERT', 'p6', { data: { text: 'a' } })]);
    await push(suite.gateway, [todo('UPDATE', 'p6', { version: 1, data: { text: 'b' } })]);
    const stale = todo('UPDATE', 'p6', { version: 1, data: { text: 'c' } });
    const [conflict] = await push(suite.gateway, [stale]);
    expect(conflict?.status).toBe('CONFLICT');
    // The app resolved it client-wins: same operation, the server's version.
    const resent = { todoItem: { ...stale.todoItem, version: 2 } };
    const [outcome] = await push(suite.gateway, [resent]);
    expect(outcome).toMatchObject({ status: 'APPLIED', row: { text: 'c', version: 3 } });
  });

  it('keeps opIds per user: another user reusing an opId gets their own outcome', async () => {
    const op = todo('INSERT', 'p7', { data: { text: "alice's" } });
    await push(suite.gateway, [op], 'alice');
    const [bob] = await push(
      suite.gateway,
      [{ todoItem: { ...op.todoItem, id: 'p7-bob', data: { text: "bob's" } } }],
      'bob',
    );
    expect(bob).toMatchObject({
      status: 'APPLIED',
      row: { id: 'p7-bob', userId: 'bob', text: "bob's" },
    });
  });

  it('applies the other operations when one in the batch conflicts or is rejected', async () => {
    const outcomes = await push(suite.gateway, [
      todo('INSERT', 'p8a', { data: { text: 'ok' } }),
      todo('UPDATE', 'nope', { version: 1, data: { text: 'x' } }),
      todo('INSERT', 'p8b', { data: { complete: true } }),
      todo('INSERT', 'p8c', { data: { text: 'ok too' } }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['APPLIED', 'CONFLICT', 'REJECTED', 'APPLIED']);
    expect(outcomes[2]).toMatchObject({
      code: 'INVALID',
      message: expect.stringContaining('operations[2].todoItem.data.text'),
    });
    expect(await serverRow('p8a')).not.toBeNull();
    expect(await serverRow('p8b')).toBeNull();
    expect(await serverRow('p8c')).not.toBeNull();
  });

  it('rejects null in a NOT NULL column, naming the field', async () => {
    await push(suite.gateway, [todo('INSERT', 'p9', { data: { text: 'x' } })]);
    const [outcome] = await push(suite.gateway, [
      todo('UPDATE', 'p9', { version: 1, data: { text: null } }),
    ]);
    expect(outcome).toMatchObject({
      status: 'REJECTED',
      code: 'INVALID',
      message: 'operations[0].todoItem.data.text: cannot be null',
    });
    expect(await serverRow('p9')).toMatchObject({ text: 'x', version: 1 });
  });

  it('refuses writes to read-only tables with REJECTED/FORBIDDEN', async () => {
    const outcomes = await push(suite.gateway, [
      {
        vehicleManufacturer: {
          opId: newOpId(),
          kind: 'INSERT',
          id: 'mf-new',
          data: { name: 'New', country: 'Nowhere' },
        },
      },
      {
        vehicleModel: {
          opId: newOpId(),
          kind: 'UPDATE',
          id: 'vm-volvo-fh16',
          version: 1,
          data: { accoladeCount: 1000 },
        },
      },
      { vehicleModel: { opId: newOpId(), kind: 'DELETE', id: 'vm-volvo-fh16', version: 1 } },
    ]);
    expect(outcomes.map((o) => [o.status, o.code])).toEqual([
      ['REJECTED', 'FORBIDDEN'],
      ['REJECTED', 'FORBIDDEN'],
      ['REJECTED', 'FORBIDDEN'],
    ]);
    const { rows } = await pullAll(suite.gateway, 'pullVehicleModels', null, {
      fields: 'id accoladeCount deleted',
      where: { id: { eq: 'vm-volvo-fh16' } },
    });
    expect(rows).toEqual([{ id: 'vm-volvo-fh16', accoladeCount: 0, deleted: false }]);
    const manufacturers = await pullAll(suite.gateway, 'pullVehicleManufacturers', null, {
      fields: 'id',
      where: { id: { eq: 'mf-new' } },
    });
    expect(manufacturers.rows).toEqual([]);
  });

  it('reports an unknown model in a command as INVALID, naming the field', async () => {
    const [outcome] = await push(suite.gateway, [
      {
        vehicleModelUpdate: {
          opId: newOpId(),
          kind: 'INSERT',
          id: 'cmd-x',
          data: { vehicleModelId: 'vm-none', accoladeCount: 1 },
        },
      },
    ]);
    expect(outcome).toMatchObject({
      status: 'REJECTED',
      code: 'INVALID',
      message: 'data.vehicleModelId: there is no vehicle model "vm-none"',
    });
  });
});

describe.each(databaseKinds)('batch validation on $name', (kind) => {
  const suite = useTestGateway(kind, { limits: { pushMaxOperations: 3 } });

  const countTodos = async () =>
    (await pullAll(suite.gateway, 'pullTodoItems', null, { fields: 'id' })).rows.length;

  it.each([
    [
      'a missing version',
      [
        todo('INSERT', 'v1', { data: { text: 'ok' } }),
        todo('UPDATE', 'v1', { data: { text: 'x' } }),
      ],
      'operations[1].todoItem.version: is required for UPDATE',
    ],
    [
      'a version below 1',
      [todo('INSERT', 'v2', { data: { text: 'ok' } }), todo('DELETE', 'v2', { version: 0 })],
      'operations[1].todoItem.version: must be at least 1, got 0',
    ],
    [
      'data on a delete',
      [todo('DELETE', 'v3', { version: 1, data: { text: 'x' } })],
      'operations[0].todoItem.data: must be absent for DELETE',
    ],
    [
      'an insert without data',
      [todo('INSERT', 'v4')],
      'operations[0].todoItem.data: is required for INSERT',
    ],
    [
      'an empty id',
      [todo('INSERT', 'ok', { data: { text: 'ok' } }), todo('INSERT', '', { data: { text: 'x' } })],
      'operations[1].todoItem.id: must not be empty',
    ],
    [
      'a huge opId',
      [{ todoItem: { opId: 'x'.repeat(129), kind: 'INSERT', id: 'v6', data: { text: 'x' } } }],
      'operations[0].todoItem.opId: at most 128 characters',
    ],
    [
      'two tables in one operation',
      [
        {
          todoItem: todo('INSERT', 'v7', { data: { text: 'x' } }).todoItem,
          vehicleModelUpdate: todo('INSERT', 'v8').todoItem,
        },
      ],
      'at "operations[0]"; Exactly one key must be specified',
    ],
  ])('refuses a batch with %s as a whole, writing nothing', async (_label, operations, message) => {
    const before = await countTodos();
    const result = await pushRaw(suite.gateway, operations);
    expect(result.data?.push ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain(message);
    expect(await countTodos()).toBe(before);
  });

  it('refuses a batch with the same opId twice', async () => {
    const op = todo('INSERT', 'd1', { data: { text: 'x' } });
    const result = await pushRaw(suite.gateway, [op, op]);
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(result.errors?.[0]?.message).toMatch(
      /operations\[1\]\.todoItem\.opId: .* appears twice/,
    );
    expect(await countTodos()).toBe(0);
  });

  it('refuses more operations than the limit with LIMIT_EXCEEDED', async () => {
    const operations = ['l1', 'l2', 'l3', 'l4'].map((id) =>
      todo('INSERT', id, { data: { text: id } }),
    );
    const result = await pushRaw(suite.gateway, operations);
    expect(result.errors?.[0]).toMatchObject({
      message: 'operations: at most 3 a push, got 4',
      extensions: { code: 'LIMIT_EXCEEDED' },
    });
    expect(await countTodos()).toBe(0);
  });

  it('refuses wrong types and unknown columns before running anything', async () => {
    const wrongType = await pushRaw(suite.gateway, [
      todo('INSERT', 'w1', { data: { text: 'x', complete: 'yes' } }),
    ]);
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(wrongType.errors?.[0]?.message).toContain('complete');
    const unknown = await pushRaw(suite.gateway, [
      todo('INSERT', 'w2', { data: { text: 'x', colour: 'red' } }),
    ]);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0]?.message).toContain('colour');
    const ownerSet = await pushRaw(suite.gateway, [
      todo('INSERT', 'w3', { data: { text: 'x', userId: 'mallory' } }),
    ]);
    expect(ownerSet.errors?.[0]?.message).toContain('userId');
    expect(await countTodos()).toBe(0);
  });
});

describe.each(databaseKinds)('constraints of the database on $name', (kind) => {
  const suite = useTestGateway(kind);
  beforeAll(async () => {
    // Rules a deployment might add to its tables: each one a CONSTRAINT outcome, not a 500.
    for (const statement of [
      "alter table todo_item add constraint todo_text_not_blank check (text <> '')",
      'create unique index todo_text_unique on todo_item (user_id, text)',
      'alter table todo_item add constraint todo_text_names_a_model foreign key (text) references vehicle_model (id) not valid',
    ]) {
      await suite.db.database.db.execute(statement);
    }
  });

  it('rejects each broken rule with CONSTRAINT, naming the field, and applies the rest', async () => {
    const outcomes = await push(suite.gateway, [
      todo('INSERT', 'k1', { data: { text: 'vm-volvo-fh16' } }),
      todo('INSERT', 'k2', { data: { text: '' } }),
      todo('INSERT', 'k3', { data: { text: 'vm-volvo-fh16' } }),
      todo('INSERT', 'k4', { data: { text: 'not a model' } }),
      todo('INSERT', 'k5', { data: { text: 'vm-man-tgx' } }),
    ]);
    expect(outcomes.map((o) => [o.status, o.code, o.message])).toEqual([
      ['APPLIED', null, null],
      [
        'REJECTED',
        'CONSTRAINT',
        'operations[1].todoItem.data: the values break the rule todo_text_not_blank',
      ],
      [
        'REJECTED',
        'CONSTRAINT',
        'operations[2].todoItem.data: another row already has this value (userId, text together)',
      ],
      [
        'REJECTED',
        'CONSTRAINT',
        'operations[3].todoItem.data.text: refers to a row that does not exist',
      ],
      ['APPLIED', null, null],
    ]);
    const { rows } = await pullAll(suite.gateway, 'pullTodoItems', null, { fields: 'id' });
    expect(rows.map((row) => row.id)).toEqual(['k1', 'k5']);
  });
});
