import { FOREIGN_TODO_IDS, type Random, RawJson } from './shared';

/**
 * Writes that can never apply: push operations and mutations aimed where the fuzz user can
 * only get a conflict or a rejection, and operations whose shape refuses their whole batch.
 */

export const freshId = (random: Random, prefix: string) => `${prefix}-${random.int(0, 2 ** 30)}`;

export interface OperationTemplate {
  table: string;
  op: Record<string, unknown>;
  /** Fields that may be made hostile without making the operation able to write. */
  mutable: readonly string[];
  /** The mutable fields that hold strings. */
  strings: readonly string[];
}

/** One push operation that can only conflict or be rejected, whatever its mutable fields hold. */
export function harmlessOperation(random: Random): OperationTemplate {
  const opId = freshId(random, 'fuzz-op');
  const otherId = () => random.pick([...FOREIGN_TODO_IDS, freshId(random, 'fuzz-none')]);
  switch (random.int(0, 5)) {
    case 0:
      // Not the fuzz user's row (they have none): NOT_FOUND.
      return {
        table: 'todoItem',
        op: { opId, kind: 'UPDATE', id: otherId(), version: random.int(1, 4), data: { text: 'x' } },
        mutable: ['opId', 'id', 'version', 'data', 'kind'],
        strings: ['opId', 'id', 'data.text'],
      };
    case 1:
      return {
        table: 'todoItem',
        op: { opId, kind: 'DELETE', id: otherId(), version: random.int(1, 4) },
        mutable: ['opId', 'id', 'version', 'kind'],
        strings: ['opId', 'id'],
      };
    case 2:
      // Inserting an id another user holds is FORBIDDEN: so the id is never made hostile.
      return {
        table: 'todoItem',
        op: { opId, kind: 'INSERT', id: random.pick(FOREIGN_TODO_IDS), data: { text: 'x' } },
        mutable: ['opId', 'version', 'data', 'kind'],
        strings: ['opId', 'data.text'],
      };
    case 3:
    case 4: {
      // Read-only tables: FORBIDDEN, whatever the operation.
      const table = random.chance(0.5) ? 'vehicleModel' : 'vehicleManufacturer';
      const kind = random.pick(['INSERT', 'UPDATE', 'DELETE']);
      const op: Record<string, unknown> = { opId, kind, id: random.pick(['vm-man-tgx', 'mf-man']) };
      if (kind !== 'INSERT') op.version = 1;
      if (kind !== 'DELETE')
        op.data = table === 'vehicleModel' ? { name: 'x', year: 2020 } : { name: 'x' };
      const strings = ['opId', 'id', ...(kind === 'DELETE' ? [] : ['data.name'])];
      return { table, op, mutable: ['opId', 'id', 'version', 'data', 'kind'], strings };
    }
    default:
      // A command for no model, with a count out of range: rejected twice over.
      return {
        table: 'vehicleModelUpdate',
        op: {
          opId,
          kind: 'INSERT',
          id: freshId(random, 'fuzz-cmd'),
          data: {
            vehicleModelId: freshId(random, 'no-such-model'),
            accoladeCount: random.pick([0, -1, 11, 1_000]),
          },
        },
        mutable: ['opId', 'id', 'data.vehicleModelId', 'data.accoladeCount'],
        strings: ['opId', 'id', 'data.vehicleModelId'],
      };
  }
}

export const asOperation = (template: OperationTemplate) => ({ [template.table]: template.op });

/** Sets `path` (`a` or `a.b`) of an object to `value`. */
export function setField(target: Record<string, unknown>, path: string, value: unknown) {
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) {
    target[head] = value;
    return;
  }
  const inner = target[head];
  target[head] = { ...(typeof inner === 'object' && inner !== null ? inner : {}), [tail]: value };
}

/** A well-formed insert of a fresh row: it would write if its batch were not refused. */
export const freshInsert = (i: number, text = 'x') => ({
  todoItem: {
    opId: `fuzz-batch-op-${i}`,
    kind: 'INSERT',
    id: `fuzz-batch-row-${i}`,
    data: { text },
  },
});

/** One operation whose shape must refuse the batch it is in, before anything is written. */
export function malformedOperation(random: Random): unknown {
  const todo = (op: Record<string, unknown>) => ({
    todoItem: { opId: freshId(random, 'fuzz-bad'), id: freshId(random, 'fuzz-bad'), ...op },
  });
  const text = { text: 'x' };
  return random.pick<unknown>([
    todo({ kind: 'UPDATE', data: text }),
    todo({ kind: 'DELETE', version: 0 }),
    todo({ kind: 'UPDATE', version: -5, data: {} }),
    todo({ kind: 'INSERT' }),
    todo({ kind: 'DELETE', version: 1, data: text }),
    todo({ kind: 'INSERT', id: '', data: text }),
    todo({ kind: 'INSERT', opId: '', data: text }),
    todo({ kind: 'INSERT', id: 'i'.repeat(129), data: text }),
    todo({ kind: 'INSERT', opId: 'o'.repeat(129), data: text }),
    todo({ kind: 'UPSERT', data: text }),
    todo({ kind: 'UPDATE', version: '1', data: text }),
    todo({ kind: 'INSERT', data: { text: 'x', userId: 'alice' } }),
    todo({ kind: 'INSERT', data: { text: 5 } }),
    {},
    { todoItem: null },
    {
      ...todo({ kind: 'INSERT', data: text }),
      vehicleModel: { opId: 'b', kind: 'DELETE', id: 'x', version: 1 },
    },
    { todo_item: { opId: 'a', kind: 'INSERT', id: 'x', data: text } },
    new RawJson(
      '{"__proto__": {"todoItem": {"opId": "p", "kind": "INSERT", "id": "p", "data": {"text": "x"}}}}',
    ),
  ]);
}

const RETURNING = 'status code message';

/** The per-table mutations, each with variables that can only conflict or be rejected. */
export const MUTATIONS = {
  updateTodoItem: {
    query: `mutation($id: ID!, $version: Int!, $patch: TodoItemPatch!, $opId: ID) { updateTodoItem(id: $id, version: $version, patch: $patch, opId: $opId) { ${RETURNING} row { id text userId } } }`,
    variables: () => ({
      id: FOREIGN_TODO_IDS[0],
      version: 1,
      patch: { text: 'x' },
      opId: 'fuzz-m',
    }),
    mutable: ['id', 'version', 'patch', 'opId'],
    strings: ['id', 'patch.text', 'opId'],
  },
  deleteTodoItem: {
    query: `mutation($id: ID!, $version: Int!, $opId: ID) { deleteTodoItem(id: $id, version: $version, opId: $opId) { ${RETURNING} row { id text userId } } }`,
    variables: () => ({ id: FOREIGN_TODO_IDS[2], version: 1, opId: 'fuzz-m' }),
    mutable: ['id', 'version', 'opId'],
    strings: ['id', 'opId'],
  },
  insertTodoItem: {
    // Alice's tombstone: FORBIDDEN. The id is never made hostile.
    query: `mutation($input: TodoItemInsert!, $opId: ID) { insertTodoItem(input: $input, opId: $opId) { ${RETURNING} row { id text userId } } }`,
    variables: () => ({ input: { id: FOREIGN_TODO_IDS[1], text: 'x' }, opId: 'fuzz-m' }),
    mutable: ['input.text', 'input.complete', 'input.dueDate', 'opId'],
    strings: ['input.text', 'opId'],
  },
  insertVehicleModelUpdate: {
    query: `mutation($input: VehicleModelUpdateInsert!, $opId: ID) { insertVehicleModelUpdate(input: $input, opId: $opId) { ${RETURNING} } }`,
    variables: () => ({
      input: { vehicleModelId: 'no-such-model', accoladeCount: 0 },
      opId: 'fuzz-m',
    }),
    mutable: ['input.vehicleModelId', 'input.accoladeCount', 'opId'],
    strings: ['input.vehicleModelId', 'opId'],
  },
  deleteVehicleModelUpdate: {
    query: `mutation($id: ID!, $version: Int!) { deleteVehicleModelUpdate(id: $id, version: $version) { ${RETURNING} } }`,
    variables: () => ({ id: 'fuzz-cmd', version: 1 }),
    mutable: ['id', 'version'],
    strings: ['id'],
  },
} as const;

export const MUTATION_NAMES = Object.keys(MUTATIONS) as (keyof typeof MUTATIONS)[];
