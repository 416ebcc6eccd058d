import type { OperationKind } from '@syncline/schema';
import type { Row, WriteOutcome } from '../sync/outcomes';
import type { WriteOperation } from '../sync/write-operation';
import type { Builder } from './builder';
import { badInput, limitExceeded } from './errors';
import type { GatewayLimits } from './limits';
import type { SharedTypes } from './shared-types';
import type { TableTypes } from './table-types';
import { outcomeFields } from './table-types';
import { type ApplyFn, checkId } from './write-fields';

interface OperationInput {
  opId: string;
  kind: OperationKind;
  id: string;
  version?: number | null;
  data?: Record<string, unknown> | null;
}

/** The batched `push(operations)`, its `@oneOf` input and the `SyncRow` union. */
export function addPushField(
  builder: Builder,
  shared: SharedTypes,
  tables: readonly TableTypes[],
  apply: ApplyFn,
  limits: GatewayLimits,
) {
  const typeOf = new Map(tables.map((types) => [types.served.info.name, types.served.names.type]));
  const syncRow = builder.unionType('SyncRow', {
    types: tables.map((types) => types.row),
    description: 'A row of any synced table.',
    resolveType: (row: Row & { __typename?: string }) => row.__typename ?? null,
  });
  const pushOutcome = builder.objectRef<WriteOutcome>('PushOutcome').implement({
    description: "One operation's outcome, in the order the operations were sent.",
    fields: (t) => ({
      ...outcomeFields(t, shared),
      row: t.field({
        type: syncRow,
        nullable: true,
        resolve: (parent) => parent.row && { ...parent.row, __typename: typeOf.get(parent.table) },
      }),
    }),
  });
  const pushOperation = builder.inputType('PushOperation', {
    isOneOf: true,
    description: 'One queued change: set exactly one field, named after its table.',
    fields: (t) =>
      Object.fromEntries(
        tables.map((types) => [types.served.info.name, t.field({ type: types.operation })]),
      ),
  });
  const byName = new Map(tables.map((types) => [types.served.info.name, types.served]));

  builder.mutationField('push', (t) =>
    t.field({
      type: [pushOutcome],
      description: 'Applies queued changes in order, in one request; one outcome per operation.',
      args: { operations: t.arg({ type: [pushOperation], required: true }) },
      resolve: async (_root, args, context) => {
        const inputs = args.operations as Record<string, OperationInput | null | undefined>[];
        if (inputs.length > limits.pushMaxOperations) {
          throw limitExceeded(
            'operations',
            `at most ${limits.pushMaxOperations} a push, got ${inputs.length}`,
          );
        }
        // Everything is checked before anything is written: a refused push writes nothing.
        const seen = new Set<string>();
        const operations = inputs.map((input, index): WriteOperation => {
          const [table, op] = Object.entries(input).find(([, value]) => value != null) ?? [];
          const served = table === undefined ? undefined : byName.get(table);
          const path = `operations[${index}].${table}`;
          if (!served || !op) throw badInput(`operations[${index}]`, 'set exactly one table field');
          checkOperation(path, op);
          if (seen.has(op.opId))
            throw badInput(`${path}.opId`, `"${op.opId}" appears twice in this push`);
          seen.add(op.opId);
          return {
            served,
            opId: op.opId,
            kind: op.kind,
            id: op.id,
            version: op.version ?? undefined,
            data: op.data ?? {},
            dataField: `${path}.data`,
          };
        });
        return operations.length ? apply(context, operations) : [];
      },
    }),
  );
}

function checkOperation(path: string, op: OperationInput) {
  checkId(`${path}.opId`, op.opId);
  checkId(`${path}.id`, op.id);
  if (op.kind === 'INSERT') {
    if (op.data == null) throw badInput(`${path}.data`, 'is required for INSERT');
    return;
  }
  if (op.version == null) throw badInput(`${path}.version`, `is required for ${op.kind}`);
  if (op.version < 1) throw badInput(`${path}.version`, `must be at least 1, got ${op.version}`);
  if (op.kind === 'UPDATE' && op.data == null)
    throw badInput(`${path}.data`, 'is required for UPDATE');
  if (op.kind === 'DELETE' && op.data != null)
    throw badInput(`${path}.data`, 'must be absent for DELETE');
}
