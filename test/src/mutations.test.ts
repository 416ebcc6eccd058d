import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { useTestGateway } from './support/gateway-client';
import { newOpId, pullAll, push } from './support/sync-calls';

const OUTCOME = 'status code message row { id version text complete dueDate deleted userId }';

describe.each(databaseKinds)('per-table mutations on $name', (kind) => {
  const suite = useTestGateway(kind);

  type Outcome = {
    status: string;
    code: string | null;
    message: string | null;
    row: Record<string, unknown> | null;
  };
  const insert = (input: object, opId?: string) =>
    suite.gateway.data<{ insertTodoItem: Outcome }>(
      `mutation($input: TodoItemInsert!, $opId: ID) { insertTodoItem(input: $input, opId: $opId) { ${OUTCOME} } }`,
      { input, opId },
    );
  const update = (id: string, version: number, patch: object, opId?: string) =>
    suite.gateway.data<{ updateTodoItem: Outcome }>(
      `mutation($id: ID!, $version: Int!, $patch: TodoItemPatch!, $opId: ID) {
        updateTodoItem(id: $id, version: $version, patch: $patch, opId: $opId) { ${OUTCOME} } }`,
      { id, version, patch, opId },
    );
  const remove = (id: string, version: number) =>
    suite.gateway.data<{ deleteTodoItem: Outcome }>(
      `mutation($id: ID!, $version: Int!) { deleteTodoItem(id: $id, version: $version) { ${OUTCOME} } }`,
      { id, version },
    );

  it('inserts with a server-made UUID when no id is given, owned by the caller', async () => {
    const { insertTodoItem } = await insert({
      text: 'Call the depot',
      dueDate: '2026-12-01T09:00:00+01:00',
    });
    expect(insertTodoItem).toMatchObject({
      status: 'APPLIED',
      row: {
        version: 1,
        text: 'Call the depot',
        complete: false,
        dueDate: '2026-12-01T08:00:00.000Z',
        userId: 'alice',
      },
    });
    expect(insertTodoItem.row?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('updates and deletes with versions, and reports conflicts', async () => {
    await insert({ id: 'm1', text: 'a' });
    expect((await update('m1', 1, { text: 'b' })).updateTodoItem).toMatchObject({
      status: 'APPLIED',
      row: { text: 'b', version: 2 },
    });
    expect((await update('m1', 1, { text: 'c' })).updateTodoItem).toMatchObject({
      status: 'CONFLICT',
      code: 'VERSION_MISMATCH',
      row: { text: 'b', version: 2 },
    });
    expect((await remove('m1', 2)).deleteTodoItem).toMatchObject({
      status: 'APPLIED',
      row: { deleted: true, version: 3 },
    });
    expect((await update('m1', 3, { text: 'd' })).updateTodoItem).toMatchObject({
      status: 'CONFLICT',
      code: 'DELETED',
    });
  });

  it('replays an insert by opId without a second row, even with a server-made id', async () => {
    const opId = newOpId();
    const first = await insert({ text: 'once' }, opId);
    const again = await insert({ text: 'once' }, opId);
    expect(again).toEqual(first);
    const { rows } = await pullAll(suite.gateway, 'pullTodoItems', null, { fields: 'id text' });
    expect(rows.filter((row) => row.text === 'once')).toHaveLength(1);
  });

  it('refuses a missing required field and a malformed date, naming them', async () => {
    const missing = await suite.gateway.graphql(
      'mutation { insertTodoItem(input: { complete: true }) { status } }',
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(missing.errors?.[0]?.message).toContain('text');
    const date = await suite.gateway.graphql(
      'mutation { insertTodoItem(input: { text: "x", dueDate: "tomorrow" }) { status } }',
    );
    expect(date.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(date.errors?.[0]?.message).toContain('ISO 8601');
    const empty = await suite.gateway.graphql(
      'mutation { updateTodoItem(id: "", version: 1, patch: {}) { status } }',
    );
    const version = await suite.gateway.graphql(
      'mutation { deleteTodoItem(id: "m1", version: 0) { status } }',
    );
    expect(version.errors?.[0]).toMatchObject({
      message: 'version: must be at least 1, got 0',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(empty.errors?.[0]).toMatchObject({
      message: 'id: must not be empty',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('offers no direct mutation of a read-only table', async () => {
    const result = await suite.gateway.graphql(
      'mutation { insertVehicleManufacturer(input: { name: "x", country: "y" }) { status } }',
    );
    expect(result.errors?.[0]?.message).toContain('Cannot query field "insertVehicleManufacturer"');
  });
});

describe.each(databaseKinds)('the command table on $name', (kind) => {
  const suite = useTestGateway(kind);

  const model = async (id: string) =>
    (
      await suite.gateway.data<{ vehicleModel: { accoladeCount: number; version: number } }>(
        'query($id: ID!) { vehicleModel(id: $id) { accoladeCount version } }',
        { id },
      )
    ).vehicleModel;
  const command = (id: string, data: object) => ({
    vehicleModelUpdate: { opId: newOpId(), kind: 'INSERT', id, data },
  });

  it("raises the model's accoladeCount in the same transaction, and pulls carry it", async () => {
    const { cursor } = await pullAll(suite.gateway, 'pullVehicleModels', null, { fields: 'id' });
    const outcomes = await push(suite.gateway, [
      command('c1', { vehicleModelId: 'vm-iveco-daily', accoladeCount: 2 }),
      command('c2', { vehicleModelId: 'vm-iveco-daily', accoladeCount: 3 }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['APPLIED', 'APPLIED']);
    expect(await model('vm-iveco-daily')).toEqual({ accoladeCount: 5, version: 3 });
    const { rows } = await pullAll(suite.gateway, 'pullVehicleModels', cursor, {
      fields: 'id accoladeCount',
    });
    expect(rows).toEqual([{ id: 'vm-iveco-daily', accoladeCount: 5 }]);
  });

  it('undoes the command when its hook rejects it', async () => {
    const before = await model('vm-ford-transit');
    const outcomes = await push(suite.gateway, [
      command('c3', { vehicleModelId: 'vm-ford-transit', accoladeCount: 0 }),
      command('c4', { vehicleModelId: 'vm-missing', accoladeCount: 1 }),
      {
        vehicleModelUpdate: {
          opId: newOpId(),
          kind: 'UPDATE',
          id: 'c1',
          version: 1,
          data: { accoladeCount: 9 },
        },
      },
    ]);
    expect(outcomes.map((o) => [o.status, o.code, o.message])).toEqual([
      ['REJECTED', 'INVALID', 'data.accoladeCount must be between 1 and 10, got 0'],
      ['REJECTED', 'INVALID', 'data.vehicleModelId: there is no vehicle model "vm-missing"'],
      ['REJECTED', 'INVALID', 'vehicleModelUpdate rows are commands: insert only'],
    ]);
    expect(await model('vm-ford-transit')).toEqual(before);
    // The rejected command rows were rolled back with their hook: the ids are free.
    const [retry] = await push(suite.gateway, [
      command('c3', { vehicleModelId: 'vm-ford-transit', accoladeCount: 1 }),
    ]);
    expect(retry?.status).toBe('APPLIED');
    expect(await model('vm-ford-transit')).toEqual({
      accoladeCount: before.accoladeCount + 1,
      version: before.version + 1,
    });
  });

  it('replays a command once: the count is raised once', async () => {
    const op = command('c5', { vehicleModelId: 'vm-volvo-fmx', accoladeCount: 4 });
    await push(suite.gateway, [op]);
    await push(suite.gateway, [op]);
    expect((await model('vm-volvo-fmx')).accoladeCount).toBe(4);
  });
});
