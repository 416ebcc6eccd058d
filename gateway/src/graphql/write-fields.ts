import { randomUUID } from 'node:crypto';
import type { OperationKind } from '@syncline/schema';
import type { Db } from '../db/database';
import { type ApplyContext, applyOperations } from '../sync/apply';
import type { WriteOutcome } from '../sync/outcomes';
import type { WriteOperation } from '../sync/write-operation';
import type { Builder, GatewayContext } from './builder';
import { badInput } from './errors';
import { MAX_ID_LENGTH } from './limits';
import type { TableTypes } from './table-types';

export type ApplyFn = (
  context: GatewayContext,
  operations: WriteOperation[],
) => Promise<WriteOutcome[]>;

export function createApply(
  db: Db,
  servedTables: ApplyContext['servedTables'],
  logger: ApplyContext['logger'],
  onOutcomes: (outcomes: readonly WriteOutcome[]) => void = () => {},
): ApplyFn {
  return async (context, operations) => {
    const outcomes = await applyOperations(
      db,
      { userId: context.userId, servedTables, logger },
      operations,
    );
    onOutcomes(outcomes);
    return outcomes;
  };
}

/** Checks an id or opId argument: not empty, not too long. */
export function checkId(field: string, value: string | null | undefined) {
  if (value == null) return;
  if (value.length === 0) throw badInput(field, 'must not be empty');
  if (value.length > MAX_ID_LENGTH) throw badInput(field, `at most ${MAX_ID_LENGTH} characters`);
}

const OP_ID = 'Chosen by the client; a replay returns the first outcome and changes nothing.';

/** `insert<Table>`, `update<Table>` and `delete<Table>`: one operation each, as in a push. */
export function addWriteFields(builder: Builder, types: TableTypes, apply: ApplyFn) {
  const { served, outcome, insert, patch } = types;
  const { names } = served;
  const one = async (context: GatewayContext, op: Omit<WriteOperation, 'served'>) => {
    checkId('opId', op.opId);
    checkId('id', op.id);
    if (op.version !== undefined && op.version < 1) {
      throw badInput('version', `must be at least 1, got ${op.version}`);
    }
    const [result] = await apply(context, [{ ...op, served }]);
    return result as WriteOutcome;
  };

  builder.mutationField(names.insert, (t) =>
    t.field({
      type: outcome,
      args: {
        input: t.arg({ type: insert, required: true }),
        opId: t.arg.id({ description: OP_ID }),
      },
      resolve: (_root, args, context) => {
        const { id, ...data } = args.input as Record<string, unknown> & { id?: string | null };
        const op = { kind: 'INSERT' as OperationKind, opId: args.opId ?? null, version: undefined };
        return one(context, { ...op, id: id ?? randomUUID(), data, dataField: 'input' });
      },
    }),
  );
  builder.mutationField(names.update, (t) =>
    t.field({
      type: outcome,
      args: {
        id: t.arg.id({ required: true }),
        version: t.arg.int({ required: true, description: 'The version last seen.' }),
        patch: t.arg({ type: patch, required: true }),
        opId: t.arg.id({ description: OP_ID }),
      },
      resolve: (_root, args, context) =>
        one(context, {
          kind: 'UPDATE',
          opId: args.opId ?? null,
          id: args.id,
          version: args.version,
          data: args.patch as Record<string, unknown>,
          dataField: 'patch',
        }),
    }),
  );
  builder.mutationField(names.delete, (t) =>
    t.field({
      type: outcome,
      args: {
        id: t.arg.id({ required: true }),
        version: t.arg.int({ required: true, description: 'The version last seen.' }),
        opId: t.arg.id({ description: OP_ID }),
      },
      resolve: (_root, args, context) =>
        one(context, {
          kind: 'DELETE',
          opId: args.opId ?? null,
          id: args.id,
          version: args.version,
          data: {},
          dataField: 'data',
        }),
    }),
  );
}
