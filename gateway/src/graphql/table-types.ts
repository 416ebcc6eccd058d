import type { FieldRef } from '@pothos/core';
import type { Row, WriteOutcome } from '../sync/outcomes';
import { publicColumnKeys, type ServedTable } from '../sync/tables';
import type { Builder, SynclineSchemaTypes } from './builder';
import { columnType } from './column-types';
import type { SharedTypes } from './shared-types';

/** What a pull answers before its fields are selected: `<Table>Page`. */
export interface PullPageValue<TRows = Row[]> {
  rows: TRows;
  cursor: string;
  hasMore: boolean;
  movedOut: string[];
}

const systemFieldDescriptions: Record<string, string> = {
  id: 'Primary key; clients choose it (a UUID) so that inserts work offline.',
  version: 'Starts at 1, +1 on every update and delete; send it back to update or delete.',
  createdAt: 'When the server first stored the row (for people, never for cursors).',
  updatedAt: 'When the server last changed the row (for people, never for cursors).',
  deleted: 'A tombstone: the row was deleted and pulls carry the delete.',
};

/** The GraphQL types of one table: row, page, outcome and its inputs. */
export function addTableTypes(builder: Builder, shared: SharedTypes, served: ServedTable) {
  const { type } = served.names;
  const name = served.info.name;
  const scalarOf = (key: string) => {
    if (key === 'id') return { scalar: 'ID' as const, filter: 'StringFilter' as const };
    return columnType(
      name,
      key,
      served.columns[key] as NonNullable<ServedTable['columns'][string]>,
    );
  };
  const nullable = (key: string) => !served.columns[key]?.notNull;

  const row = builder.objectRef<Row>(type).implement({
    description: `A ${name} row as synced: its system fields and data.`,
    fields: (t) =>
      Object.fromEntries(
        publicColumnKeys(served).map((key) => [
          key,
          t.field({
            type: scalarOf(key).scalar,
            nullable: nullable(key),
            ...describe(key, served),
            resolve: (parent) => parent[key] as never,
          }),
        ]),
      ),
  });

  const page = builder.objectRef<PullPageValue>(`${type}Page`).implement({
    description: `One page of ${name} changes, in change order.`,
    fields: (t) => ({
      rows: t.field({ type: [row], resolve: (parent) => parent.rows }),
      cursor: t.field({
        type: 'Cursor',
        description: 'Pass it back as `after` for the next page or the next pull.',
        resolve: (parent) => parent.cursor,
      }),
      hasMore: t.boolean({
        description: 'Another page is ready now.',
        resolve: (parent) => parent.hasMore,
      }),
      movedOut: t.idList({
        description: served.ownerColumn
          ? 'Ids of rows changed after `after` that this query no longer covers: they no longer match `where`, or belong to another user now. Apply them before `rows`: remove them from what this query holds. Empty on a first pull.'
          : 'Ids of rows changed after `after` that no longer match `where`. Apply them before `rows`: remove them from what this query holds. Empty on a first pull, and without `where`.',
        resolve: (parent) => parent.movedOut,
      }),
    }),
  });

  const outcome = builder.objectRef<WriteOutcome>(`${type}Outcome`).implement({
    fields: (t) => ({
      ...outcomeFields(t, shared),
      row: t.field({ type: row, nullable: true, resolve: (parent) => parent.row }),
    }),
  });

  const dataKeys = served.info.dataColumns;
  const insert = builder.inputType(`${type}Insert`, {
    fields: (t) => ({
      id: t.id({ description: 'Optional: the server makes a UUID when it is absent.' }),
      ...Object.fromEntries(
        dataKeys.map((key) => {
          const column = served.columns[key];
          const required = Boolean(column?.notNull && !column.hasDefault);
          return [key, t.field({ type: scalarOf(key).scalar, required })];
        }),
      ),
    }),
  });
  const patch = builder.inputType(`${type}Patch`, {
    description: 'The fields to set; fields left out keep their value.',
    fields: (t) =>
      Object.fromEntries(dataKeys.map((key) => [key, t.field({ type: scalarOf(key).scalar })])),
  });

  const where = builder.inputRef<Record<string, unknown>>(`${type}Where`);
  const filterable = ['id', 'version', 'createdAt', 'updatedAt', ...dataKeys].filter(
    (key) => scalarOf(key).filter !== null,
  );
  where.implement({
    description: `Conditions on ${name} columns; all must hold.`,
    fields: (t) => ({
      and: t.field({ type: [where] }),
      or: t.field({ type: [where] }),
      ...Object.fromEntries(
        filterable.map((key) => [
          key,
          t.field({ type: shared.filters[scalarOf(key).filter ?? 'StringFilter'] }),
        ]),
      ),
    }),
  });

  const operation = builder.inputType(`${type}Operation`, {
    description: `One queued change to a ${name}.`,
    fields: (t) => ({
      opId: t.id({
        required: true,
        description: 'Chosen by the client; a replay returns the first outcome.',
      }),
      kind: t.field({ type: shared.kind, required: true }),
      id: t.id({ required: true }),
      version: t.int({ description: 'The version last seen; required for UPDATE and DELETE.' }),
      data: t.field({
        type: patch,
        description: 'The row for INSERT, the changed fields for UPDATE.',
      }),
    }),
  });

  return { served, row, page, outcome, insert, patch, where, operation };
}

export type TableTypes = ReturnType<typeof addTableTypes>;

function describe(key: string, served: ServedTable): { description?: string } {
  const description =
    systemFieldDescriptions[key] ??
    (key === served.info.owner ? 'Owner, set by the server.' : undefined);
  return description ? { description } : {};
}

type OutcomeFieldBuilder = PothosSchemaTypes.ObjectFieldBuilder<
  PothosSchemaTypes.ExtendDefaultTypes<SynclineSchemaTypes>,
  WriteOutcome
>;

type OutcomeFieldRef = FieldRef<
  PothosSchemaTypes.ExtendDefaultTypes<SynclineSchemaTypes>,
  unknown,
  'Object'
>;

/** The fields `<Table>Outcome` and `PushOutcome` share; they differ in the type of `row`. */
export function outcomeFields(
  t: OutcomeFieldBuilder,
  shared: SharedTypes,
): Record<'opId' | 'status' | 'code' | 'message', OutcomeFieldRef> {
  return {
    opId: t.id({ nullable: true, resolve: (parent: WriteOutcome) => parent.opId }),
    status: t.field({ type: shared.status, resolve: (parent: WriteOutcome) => parent.status }),
    code: t.field({
      type: shared.code,
      nullable: true,
      resolve: (parent: WriteOutcome) => parent.code,
    }),
    message: t.string({
      nullable: true,
      description: 'Why, in words a developer can act on.',
      resolve: (parent: WriteOutcome) => parent.message,
    }),
  };
}
