import { type Conflict, type ConflictHandler, mergeRows } from '@syncline/client';
import { describe, expect, it } from 'vitest';
import { databaseKinds } from './support/databases';
import { useTestGateway } from './support/gateway-client';
import { pullAll } from './support/sync-calls';
import { type ExampleClient, openTestClient, TestNetwork } from './support/sync-client';

const newUser = () => `tech-${crypto.randomUUID()}`;

/**
 * Every way a conflict ends, against the real gateway: the technician's client changed a
 * row offline while the office changed it on the server.
 */
describe.each(databaseKinds)('client: conflicts, on $name', (kind) => {
  const suite = useTestGateway(kind);

  /** The office's change, made straight on the server. */
  async function officeUpdate(user: string, id: string, patch: object) {
    const [row] = (
      await pullAll(suite.gateway, 'pullTodoItems', null, { user, where: { id: { eq: id } } })
    ).rows;
    const result = await suite.gateway.data<{ updateTodoItem: { status: string } }>(
      `mutation($id: ID!, $version: Int!, $patch: TodoItemPatch!) {
        updateTodoItem(id: $id, version: $version, patch: $patch) { status }
      }`,
      { id, version: row?.version, patch },
      user,
    );
    expect(result.updateTodoItem.status).toBe('APPLIED');
  }

  async function officeDelete(user: string, id: string) {
    const [row] = (
      await pullAll(suite.gateway, 'pullTodoItems', null, { user, where: { id: { eq: id } } })
    ).rows;
    await suite.gateway.data(
      'mutation($id: ID!, $version: Int!) { deleteTodoItem(id: $id, version: $version) { status } }',
      { id, version: row?.version },
      user,
    );
  }

  async function serverRow(user: string, id: string) {
    const { rows } = await pullAll(suite.gateway, 'pullTodoItems', null, {
      user,
      where: { id: { eq: id } },
    });
    const [row] = rows;
    return (
      row && { text: row.text, complete: row.complete, version: row.version, deleted: row.deleted }
    );
  }

  /**
   * A row both sides know at version 1, changed by the office (text) and then here
   * (`local`), with `onConflict` answering through `handler`.
   */
  async function conflictOn(
    local: { text?: string; complete?: boolean },
    handler?: ConflictHandler,
  ) {
    const user = newUser();
    const seen: Conflict[] = [];
    const client: ExampleClient = await openTestClient({
      network: new TestNetwork(suite.gateway),
      user,
      ...(handler
        ? {
            onConflict: (conflict: Conflict) => {
              seen.push(conflict);
              return handler(conflict);
            },
          }
        : {}),
    });
    const todos = client.table('todoItem');
    const row = await todos.insert({ text: 'Inspect boiler' });
    await client.push();
    await officeUpdate(user, row.id, { text: 'Inspect boiler (urgent)' });
    await todos.update({ id: row.id, ...local });
    const result = await client.push();
    return { user, client, todos, id: row.id, result, seen };
  }

  it('tells onConflict the operation and the base, local and server rows', async () => {
    const { client, id, result, seen } = await conflictOn({ complete: true }, () => ({
      action: 'server-wins',
    }));
    expect(result).toMatchObject({ status: 'complete', pushed: 0, errors: [] });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      table: 'todoItem',
      code: 'VERSION_MISMATCH',
      attempt: 1,
      operation: { kind: 'UPDATE', id, version: 1, data: { complete: true } },
      base: { text: 'Inspect boiler', complete: false, version: 1 },
      local: { text: 'Inspect boiler', complete: true, version: 1 },
      server: { text: 'Inspect boiler (urgent)', complete: false, version: 2 },
    });
    client.close();
  });

  it('server-wins: the local change is dropped and the server row kept here', async () => {
    const { user, client, todos, id } = await conflictOn({ text: 'mine' }, () => ({
      action: 'server-wins',
    }));
    expect(await todos.get(id)).toMatchObject({ text: 'Inspect boiler (urgent)', version: 2 });
    expect(await serverRow(user, id)).toMatchObject({
      text: 'Inspect boiler (urgent)',
      version: 2,
    });
    expect(client.pendingOperations()).toBe(0);
    client.close();
  });

  it("client-wins: the change is sent again on the server's version", async () => {
    const { user, client, todos, id, result } = await conflictOn({ text: 'mine' }, () => ({
      action: 'client-wins',
    }));
    expect(result).toMatchObject({ status: 'complete', pushed: 1, errors: [] });
    expect(await serverRow(user, id)).toEqual({
      text: 'mine',
      complete: false,
      version: 3,
      deleted: false,
    });
    expect(await todos.get(id)).toMatchObject({ text: 'mine', version: 3 });
    expect(client.pendingOperations()).toBe(0);
    client.close();
  });

  it('merge: non-overlapping changes from both sides are kept', async () => {
    const { user, client, todos, id, result } = await conflictOn({ complete: true }, (conflict) => {
      const merged = mergeRows(conflict);
      return merged && merged.overlapping.length === 0
        ? { action: 'merge', row: merged.row }
        : { action: 'server-wins' };
    });
    expect(result).toMatchObject({ status: 'complete', pushed: 1, errors: [] });
    const merged = { text: 'Inspect boiler (urgent)', complete: true, version: 3, deleted: false };
    expect(await serverRow(user, id)).toEqual(merged);
    expect(await todos.get(id)).toMatchObject({ text: merged.text, complete: true, version: 3 });
    client.close();
  });

  it('abort: the push stops and the whole queue stays', async () => {
    const user = newUser();
    const client = await openTestClient({
      network: new TestNetwork(suite.gateway),
      user,
      batchSize: 1,
      onConflict: () => ({ action: 'abort' }),
    });
    const todos = client.table('todoItem');
    const row = await todos.insert({ text: 'shared' });
    await client.push();
    await officeUpdate(user, row.id, { text: 'office' });
    await todos.update({ id: row.id, text: 'field' });
    const later = await todos.insert({ text: 'queued after the conflict' });
    const result = await client.push();
    expect(result.status).toBe('aborted');
    expect(result.errors.map((error) => error.code)).toEqual(['VERSION_MISMATCH']);
    expect((await client.pendingChanges()).map((entry) => entry.id)).toEqual([row.id, later.id]);
    expect(await serverRow(user, later.id)).toBeUndefined();
    expect(await serverRow(user, row.id)).toMatchObject({ text: 'office' });
    client.close();
  });

  it('no answer: the operation is kept, reported, and resolved later by cancel', async () => {
    const { user, client, todos, id, result } = await conflictOn({ text: 'mine' });
    expect(result.status).toBe('complete');
    const [error] = result.errors;
    expect(error).toMatchObject({
      status: 'CONFLICT',
      code: 'VERSION_MISMATCH',
      server: { text: 'Inspect boiler (urgent)', version: 2 },
      local: { text: 'mine' },
    });
    const [entry] = await client.pendingChanges();
    // Still queued as it was made: a plain operation on the version the device saw.
    expect(entry).toMatchObject({ id, kind: 'UPDATE', version: 1, data: { text: 'mine' } });
    // Another push reports it again rather than looping or losing it.
    expect((await client.push()).errors).toHaveLength(1);

    await error?.cancelAndUpdate();
    expect(client.pendingOperations()).toBe(0);
    expect(await todos.get(id)).toMatchObject({ text: 'Inspect boiler (urgent)', version: 2 });
    expect(await serverRow(user, id)).toMatchObject({
      text: 'Inspect boiler (urgent)',
      version: 2,
    });
    client.close();
  });

  it('cancelAndUpdate keeps a newer server row that a pull brought after the report', async () => {
    const { user, client, todos, id, result } = await conflictOn({ text: 'mine' });
    const [error] = result.errors;
    expect(error?.server).toMatchObject({ version: 2 });
    await officeUpdate(user, id, { text: 'Inspect boiler (done)' });
    // The pull keeps version 3 beside the pending change and moves its cursor past it.
    expect(await todos.pull('mine')).toMatchObject({ status: 'complete', pulled: 1 });
    await error?.cancelAndUpdate();
    expect(await todos.get(id)).toMatchObject({ text: 'Inspect boiler (done)', version: 3 });
    expect(await todos.pull('mine')).toMatchObject({ pulled: 0 });
    client.close();
  });

  it('a report of an operation already decided through a later report changes nothing', async () => {
    const { client, todos, id, result } = await conflictOn({ text: 'mine' });
    const [again] = (await client.push()).errors;
    await again?.cancelAndUpdate();
    expect(await todos.get(id)).toMatchObject({ text: 'Inspect boiler (urgent)', version: 2 });
    // The first report's entry has left the outbox: discarding it now must not drop the row.
    await result.errors[0]?.cancelAndDiscard();
    expect(await todos.get(id)).toMatchObject({ text: 'Inspect boiler (urgent)', version: 2 });
    client.close();
  });

  it('cancelAndDiscard drops the operation and the local row', async () => {
    const { client, todos, id, result } = await conflictOn({ text: 'mine' });
    await result.errors[0]?.cancelAndDiscard();
    expect(client.pendingOperations()).toBe(0);
    expect(await todos.get(id)).toBeUndefined();
    client.close();
  });

  it('a conflict that keeps coming back is resolved a bounded number of times, then reported', async () => {
    let office = 0;
    const { user, client, id, result, seen } = await conflictOn(
      { text: 'mine' },
      async (conflict) => {
        // The office changes the row again every time: client-wins can never land.
        await officeUpdate(conflict.server?.userId as string, conflict.operation.id, {
          text: `office ${++office}`,
        });
        return { action: 'client-wins' };
      },
    );
    expect(seen.map((conflict) => conflict.attempt)).toEqual([1, 2, 3]);
    expect(result.status).toBe('complete');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.message).toContain('still conflicting after 3 resolutions');
    expect(await serverRow(user, id)).toMatchObject({ text: 'office 3' });
    expect(client.pendingOperations()).toBe(1);
    client.close();
  });

  it('a row deleted on the server: DELETED, and server-wins removes it here', async () => {
    const user = newUser();
    const client = await openTestClient({
      network: new TestNetwork(suite.gateway),
      user,
      onConflict: () => ({ action: 'server-wins' }),
    });
    const todos = client.table('todoItem');
    const row = await todos.insert({ text: 'gone soon' });
    await client.push();
    await officeDelete(user, row.id);
    await todos.update({ id: row.id, complete: true });
    expect(await client.push()).toMatchObject({ status: 'complete', errors: [] });
    expect(await todos.get(row.id)).toBeUndefined();
    expect(client.pendingOperations()).toBe(0);
    client.close();
  });

  it('the same id inserted on two devices: ALREADY_EXISTS, and client-wins updates it', async () => {
    const user = newUser();
    const network = new TestNetwork(suite.gateway);
    const phone = await openTestClient({ network, user });
    const tablet = await openTestClient({
      network,
      user,
      onConflict: () => ({ action: 'client-wins' }),
    });
    const id = `${user}-checklist`;
    await phone.table('todoItem').insert({ id, text: 'from the phone' });
    await phone.push();
    await tablet.table('todoItem').insert({ id, text: 'from the tablet' });
    expect(await tablet.push()).toMatchObject({ status: 'complete', pushed: 1, errors: [] });
    expect(await serverRow(user, id)).toMatchObject({ text: 'from the tablet', version: 2 });
    phone.close();
    tablet.close();
  });

  it('a rejected operation is reported and does not block the rest of the queue', async () => {
    const user = newUser();
    const client = await openTestClient({ network: new TestNetwork(suite.gateway), user });
    const command = await client
      .table('vehicleModelUpdate')
      .insert({ vehicleModelId: 'vm-volvo-fh16', accoladeCount: 99 });
    const todo = await client.table('todoItem').insert({ text: 'after the bad command' });
    const result = await client.push();
    expect(result).toMatchObject({ status: 'complete', pushed: 1 });
    expect(result.errors).toMatchObject([
      {
        status: 'REJECTED',
        code: 'INVALID',
        message: 'data.accoladeCount must be between 1 and 10, got 99',
      },
    ]);
    expect(await serverRow(user, todo.id)).toMatchObject({ version: 1 });
    await result.errors[0]?.cancelAndDiscard();
    expect(await client.table('vehicleModelUpdate').get(command.id)).toBeUndefined();
    expect(client.pendingOperations()).toBe(0);
    client.close();
  });
});
